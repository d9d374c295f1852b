"""Data stewardship: requests to use network data, the views proposed for them, centers' display
consent (decided, revoked, pre-filled by standing preferences), reading views with consent applied
at read time, public links, and the audit log of every read of identified center data."""
