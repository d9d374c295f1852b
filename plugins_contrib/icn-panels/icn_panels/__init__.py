"""icn-panels: a Learning Session's call for proposals, proposals from any member, their review
by a committee and the decision."""

__version__ = "0.1.0"
