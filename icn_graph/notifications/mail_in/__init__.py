"""Reply by email: what ``icn-graph mail-in`` does with one received message.

- ``parse``: the bytes as a message, its Message-ID (or a digest) and the reply address.
- ``classify``: auto-replies and bounces, which are ignored (logged, never answered).
- ``verify``: the sender is the person the reply address is bound to (From, Sender, envelope).
- ``text``: only the new text (quoted history and signature stripped, HTML converted); what
  cannot be posted (nothing left).
- ``attachments``: the attached files, not kept: named for the notice to the sender.
- ``html_text``: HTML-only mail as text, links kept as Markdown ``[words](address)``.
- ``quotes``: the quoted history the stripper leaves (a mail that starts with the quote,
  ``>`` lines at its end).
- ``limits``: replies per person per hour.
- ``refusal``: the short mail telling a verified sender why nothing was posted (or which
  files of a posted reply were not kept).
- ``receive``: the whole path (parsing and text in a worker thread), recorded in
  ``inbound_mail`` (dedup by Message-ID, rate limit, audit), the handler called in one
  transaction.
- ``listener``: the same behind an SMTP or LMTP server (aiosmtpd) an MTA relays to.
"""
