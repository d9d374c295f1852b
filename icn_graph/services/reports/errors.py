"""Errors of the stored measures that name the measure at fault."""

from __future__ import annotations


class MeasureComputationError(RuntimeError):
    """A measure's ``compute`` returned something other than monthly counts, or values that break
    what the measure declares (its family's shared denominator, its nesting); names the measure."""
