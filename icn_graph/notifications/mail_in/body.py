"""The parts of a reply that hold its text: every one a reader sees, in order.

``EmailMessage.get_body`` picks one part. Apple Mail (iPhone, iPad, Mac) sends text with a photo
placed between its lines as ``multipart/mixed``: ``text/plain``, ``image/jpeg`` (disposition
``inline``), ``text/plain`` again (or, for rich text, ``text/html`` fragments around the image
inside the ``multipart/alternative``); with one part, what followed the photo was lost, quoted
mail included. Here, as ``get_body`` reads the structure otherwise:

- ``multipart/alternative``: one alternative, the first holding ``text/plain`` (plain text is
  preferred, as before), else the first holding ``text/html``;
- ``multipart/related``: its root (the ``start`` part, else the first); the images beside it
  are the HTML's;
- any other multipart (``mixed``, ``signed``, ...): the text parts of each of its parts, in
  order, where something else (a photo, a file) stands between them; of text parts side by
  side, the first (a plain and an HTML rendering not wrapped as alternatives are one body
  twice; an HTML page attached without a name is a document, not the reply);
- a ``text/plain`` or ``text/html`` part is text unless it is an attachment or, inside a
  multipart, has a file name (a ``notes.txt`` Apple Mail attaches ``inline``): a file, named
  among the files not kept (see ``attachments``), not posted. ``message/rfc822`` (a forwarded
  mail) and other types are never text.

How many parts there can be is bounded before this is read (``parse.MAX_PARTS``), and how much
text by ``text.MAX_TEXT``.
"""

from __future__ import annotations

from email.message import EmailMessage, Message

TEXT_TYPES = ("text/plain", "text/html")


def text_parts(message: EmailMessage) -> list[EmailMessage]:
    """The parts whose text, joined in this order, is the body ([] when there is none)."""
    return _text_parts(message, inside=False)


def named_text(part: Message) -> bool:
    """A text part inside a multipart carrying a file name: a file, not the body's text."""
    return part.get_content_maintype() == "text" and part.get_filename() is not None


def _text_parts(part: Message, inside: bool) -> list[EmailMessage]:
    if part.get_content_disposition() == "attachment" or (inside and named_text(part)):
        return []
    if part.get_content_type() in TEXT_TYPES:
        assert isinstance(part, EmailMessage)
        return [part]
    if part.get_content_maintype() != "multipart" or not part.is_multipart():
        return []
    children = [child for child in part.get_payload() if isinstance(child, Message)]
    subtype = part.get_content_subtype()
    if subtype == "alternative":
        found = [parts for child in children if (parts := _text_parts(child, True))]
        plain = (p for p in found if any(x.get_content_type() == "text/plain" for x in p))
        return next(plain, found[0] if found else [])
    if subtype == "related":
        root = _root(part, children)
        return [] if root is None else _text_parts(root, True)
    # Text parts apart (Apple Mail's text, photo, text) are each the reader's; one right after
    # another is the same body twice (a plain and an HTML rendering not wrapped as alternatives)
    # or a body and a document (a saved page attached without a name): the first is the text.
    texts: list[EmailMessage] = []
    apart = True
    for child in children:
        each = _text_parts(child, True)
        if each and apart:
            texts.extend(each)
        apart = not each
    return texts


def _root(related: Message, children: list[Message]) -> Message | None:
    """A ``multipart/related``'s root part: the one its ``start`` names, else the first."""
    start = related.get_param("start")
    if isinstance(start, str) and start:
        for child in children:
            if child.get("Content-ID") == start:
                return child
    return children[0] if children else None
