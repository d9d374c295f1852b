"""Limits on what one operation and one client may ask of the server (docs/api.md, "Limits")."""
