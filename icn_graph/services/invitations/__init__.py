"""Invitations to a center's team: staff and the center's QI lead invite someone by email to a
center role; the mailed link, used once, makes the account (if the email has none) and the
membership, and signs the person in."""
