"""Which upload columns count as direct identifiers: a table of names that must be refused and
of names that must pass, whatever their case, accents, separators, word order or possessive
``'s``; the spellings are real registry and EHR-export headers from the countries whose centers
upload (US, UK, Ireland, Canada, Australia and New Zealand, continental Europe, India)."""

from __future__ import annotations

import pytest

from icn_graph.services.registry import identifier_kind, normalize_column

NAME = "a name"
RECORD = "a medical record number"
BIRTH = "a date of birth"
ADDRESS = "an address"
NATIONAL = "a national health, insurance or identity number"
PHONE = "a telephone number"

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
    # United States: EHR exports and REDCap projects.
    ("Guardian Name", NAME),
    ("Child Date of Birth", BIRTH),
    ("Child's Date of Birth", BIRTH),
    ("Medical Record ID", RECORD),
    ("Medical Record #", RECORD),
    ("MRN#", RECORD),
    ("Social Security No", "a Social Security number"),
    ("Soc Sec No", "a Social Security number"),
    ("SSN (last 4)", "a Social Security number"),
    ("Patient Name (Last, First)", NAME),
    ("Parent/Guardian Name", NAME),
    ("Name of Parent/Guardian", NAME),
    ("Caregiver's Name", NAME),
    ("Emergency Contact", NAME),
    ("Emergency Contact Phone", PHONE),
    ("Cell Phone", PHONE),
    ("Zip+4", ADDRESS),
    ("D.O.B.", BIRTH),
    # United Kingdom and Ireland.
    ("Forename", NAME),
    ("Forenames", NAME),
    ("Christian Name", NAME),
    ("Next of Kin", NAME),
    ("NOK Name", NAME),
    ("Carer's name", NAME),
    ("Mum's Name", NAME),
    ("Hosp. No.", RECORD),
    ("Mobile No.", PHONE),
    ("Tel No", PHONE),
    ("Home Tel", PHONE),
    ("Town", ADDRESS),
    ("Eircode", ADDRESS),
    ("PPSN", NATIONAL),
    ("PPS Number", NATIONAL),
    # Canada, Quebec included.
    ("Health Card No", NATIONAL),
    ("BC PHN", NATIONAL),
    ("OHIP #", NATIONAL),
    ("RAMQ", NATIONAL),
    ("Numéro d'assurance maladie", NATIONAL),
    ("Prénom", NAME),
    ("Nom", NAME),
    ("Nom du patient", NAME),
    ("Date de naissance", BIRTH),
    ("Code postal", ADDRESS),
    ("Courriel", "an email address"),
    # Australia and New Zealand.
    ("UR Number", RECORD),
    ("URN", RECORD),
    ("Unit Record Number", RECORD),
    ("Medicare Card Number", NATIONAL),
    ("IHI", NATIONAL),
    ("NHI Number", NATIONAL),
    ("Suburb", ADDRESS),
    ("Mobile Number", PHONE),
    # Continental Europe (Germany, the Nordics, the Netherlands, Spain) and India.
    ("Vorname", NAME),
    ("Nachname", NAME),
    ("Pat. Name", NAME),
    ("Geburtsdatum", BIRTH),
    ("Postleitzahl", ADDRESS),
    ("PLZ", ADDRESS),
    ("Anschrift", ADDRESS),
    ("Telefon", PHONE),
    ("Personnummer", NATIONAL),
    ("CPR", NATIONAL),
    ("CPR-nummer", NATIONAL),
    ("Fødselsdato", BIRTH),
    ("Fødselsnummer", NATIONAL),
    ("Henkilötunnus", NATIONAL),
    ("BSN", NATIONAL),
    ("Burgerservicenummer", NATIONAL),
    ("Naam patiënt", NAME),
    ("Nombre del niño", NAME),
    ("Apellidos", NAME),
    ("Fecha de nacimiento", BIRTH),
    ("Dirección", ADDRESS),
    ("Aadhaar", NATIONAL),
    ("Aadhar No", NATIONAL),
]

ALLOWED = [
    # The upload's own columns, as the template spells them and as people retype them.
    "center",
    "Centre",
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
    # Clinical and visit columns from the same exports.
    "Visit Date",
    "Date of Visit",
    "Diagnosis Date",
    "age_at_diagnosis",
    "Physician Global Assessment",
    "PCDAI",
    "CRP",
    "Calprotectin",
    "Sex",
    "Hospital",
    "Centre Code",
    "Center Name",
    "Date de visite",
    "Diagnostic",
    "Nombre de visites",
    "Fecha de visita",
]


@pytest.mark.parametrize(("column", "kind"), REFUSED)
def test_identifier_columns_are_recognized(column: str, kind: str) -> None:
    assert identifier_kind(column) == kind


@pytest.mark.parametrize("column", ALLOWED)
def test_clinical_and_registry_columns_pass(column: str) -> None:
    assert identifier_kind(column) is None


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        (" Patient Key ", "patient_key"),
        ("\ufeffpatient_key", "patient_key"),  # Excel's byte-order mark on the first cell
        ("PatientKey", "patient_key"),
        ("patient-key", "patient_key"),
        ("__Visit  Date__", "visit_date"),
        ("Address2", "address2"),
        ("NHSNumber", "nhsnumber"),
        ("Patient's Name", "patient_name"),
        ("Parents\u2019s name", "parents_name"),
        ("Prénom", "prenom"),
        ("Fødselsdato", "fodselsdato"),
        ("Straße", "strasse"),
        ("ÆLDRE", "aeldre"),
        ("Łódź", "lodz"),
    ],
)
def test_column_names_are_normalized(raw: str, normalized: str) -> None:
    assert normalize_column(raw) == normalized
