"""Well-known demo accounts, present in every generated network whatever the seed."""

from __future__ import annotations

from typing import Final

STAFF_EMAIL: Final = "staff@network.example.org"
CLINICIAN_EMAIL: Final = "clinician@demo.example.org"
PARENT_EMAIL: Final = "parent@partners.example.org"

STAFF_NAME: Final = "Jordan Avery"
CLINICIAN_NAME: Final = "Priya Raman"
PARENT_NAME: Final = "Dana Whitfield"

DEMO_PERSONAS: Final[dict[str, str]] = {
    "staff": STAFF_EMAIL,
    "clinician": CLINICIAN_EMAIL,
    "parent": PARENT_EMAIL,
}
