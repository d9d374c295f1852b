"""icn-kudos: thank a colleague or partner; celebrate goals reached."""

__version__ = "0.1.0"
