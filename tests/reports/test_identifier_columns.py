"""Which upload columns count as direct identifiers: a table of names that must be refused and
of names that must pass, whatever their case, separators or possessive ``'s``."""

from __future__ import annotations

import pytest

from icn_graph.services.registry import identifier_kind

NAME = "a name"
RECORD = "a medical record number"
BIRTH = "a date of birth"
ADDRESS = "an address"
NATIONAL = "a national health, insurance or identity number"

REFUSED = [
    # Names, possessive or not, of the patient and the people around them.
    ("Patient's Name", NAME),
    ("Patient\u2019s Name", NAME),  # a typographic apostrophe
    ("Mother's Name", NAME),
    ("Guardian's Name", NAME),
    ("Child's Name", NAME),
    ("Name of Patient", NAME),
    ("Contact Name", NAME),
    ("Caregiver Name", NAME),
    ("Pt Name", NAME),
    ("PATIENTS NAME", NAME),
    ("Parents' Names", NAME),
    ("patient_initials", NAME),
    ("Patient Initials", NAME),
    ("PatientInitials", NAME),
    ("initials", NAME),
    ("INITIALS", NAME),
    ("pt-initials", NAME),
    # Hospital and registry record numbers.
    ("hospital_number", RECORD),
    ("Hospital No.", RECORD),
    ("HospitalNumber", RECORD),
    ("hosp_no", RECORD),
    ("record_id", RECORD),
    ("Record ID", RECORD),
    ("recordId", RECORD),
    ("redcap_record_id", RECORD),
    # Dates and years of birth.
    ("birth_year", BIRTH),
    ("Birth Year", BIRTH),
    ("BirthYear", BIRTH),
    ("year_of_birth", BIRTH),
    ("Year-Of-Birth", BIRTH),
    ("YOB", BIRTH),
    ("month of birth", BIRTH),
    # Postcodes.
    ("postcode", ADDRESS),
    ("Post Code", ADDRESS),
    ("POSTCODE", ADDRESS),
    ("home_post_code", ADDRESS),
    ("zip", ADDRESS),
    ("Zip Code", ADDRESS),
    ("ZipCode", ADDRESS),
    ("place of birth", ADDRESS),
    # UK and other national health, insurance and identity numbers.
    ("nhs_number", NATIONAL),
    ("NHS Number", NATIONAL),
    ("NHSNumber", NATIONAL),
    ("nhs-no", NATIONAL),
    ("NHS No.", NATIONAL),
    ("patient_nhs_number", NATIONAL),
    ("chi", NATIONAL),
    ("CHI", NATIONAL),
    ("chi_number", NATIONAL),
    ("CHI Number", NATIONAL),
    ("CHINumber", NATIONAL),
    ("chi-no", NATIONAL),
    ("National Insurance Number", NATIONAL),
    ("NINO", NATIONAL),
    ("national_id", NATIONAL),
    ("Medicare Number", NATIONAL),
    ("medicaid_id", NATIONAL),
    ("OHIP", NATIONAL),
    ("health_card_number", NATIONAL),
    ("Personal Health Number", NATIONAL),
    ("SIN", NATIONAL),
    ("passport_number", NATIONAL),
    # Already refused before: still refused.
    ("Name", NAME),
    ("First Name", NAME),
    ("MRN", RECORD),
    ("DOB", BIRTH),
    ("parent_email", "an email address"),
    ("SSN", "a Social Security number"),
]

ALLOWED = [
    "patient_key",
    "Patient Key",
    "visit_date",
    "PGA",
    "diagnosis",
    "on_steroids",
    "pre_visit_planning",
    "growth_assessed",
    "nutrition_assessed",
    "notes",
    "center_name",
    "Site Name",
    "measure name",
    "birth_weight",
    "chi_square",
    "nhs_trust",
    "record_count",
    "weight_kg",
]


@pytest.mark.parametrize(("column", "kind"), REFUSED)
def test_identifier_columns_are_recognized(column: str, kind: str) -> None:
    assert identifier_kind(column) == kind


@pytest.mark.parametrize("column", ALLOWED)
def test_clinical_and_registry_columns_pass(column: str) -> None:
    assert identifier_kind(column) is None
