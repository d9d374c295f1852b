"""Accounts after they are made: a person's own profile (``updateViewer``) and email change by
confirmation, staff's edits (``updatePerson``), deactivation and reactivation."""
