"""Registry data: importing centers' visit files with pseudonymous patient keys."""

from icn_graph.services.registry.csv_import import (
    RowError,
    VisitImportError,
    VisitImportSummary,
    import_visits,
)
from icn_graph.services.registry.identifiers import identifier_kind, normalize_column
from icn_graph.services.registry.patient_keys import PatientKeyHasher, patient_key

__all__ = [
    "PatientKeyHasher",
    "RowError",
    "VisitImportError",
    "VisitImportSummary",
    "identifier_kind",
    "import_visits",
    "normalize_column",
    "patient_key",
]
