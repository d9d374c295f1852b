"""Columns that look like direct identifiers (HIPAA Safe Harbor, 45 CFR 164.514(b)(2)).

Registry uploads carry a pseudonymous patient key and clinical fields only. A header that looks
like one of the Safe Harbor identifiers (names, addresses, dates of birth, phone and fax numbers,
email, SSN, medical record and other account numbers, ...) is refused before any row is read.
"""

from __future__ import annotations

import re

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")

# Whole (normalized, underscores removed) column names -> the Safe Harbor category.
_EXACT: dict[str, str] = {
    "name": "a name",
    "fullname": "a name",
    "firstname": "a name",
    "lastname": "a name",
    "middlename": "a name",
    "givenname": "a name",
    "familyname": "a name",
    "surname": "a name",
    "patientname": "a name",
    "initials": "a name",
    "fname": "a name",
    "lname": "a name",
    "mrn": "a medical record number",
    "medicalrecordnumber": "a medical record number",
    "medicalrecordno": "a medical record number",
    "medicalrecord": "a medical record number",
    "recordnumber": "a medical record number",
    "chartnumber": "a medical record number",
    "dob": "a date of birth",
    "dateofbirth": "a date of birth",
    "birthdate": "a date of birth",
    "birthday": "a date of birth",
    "dateofdeath": "a date of death",
    "deathdate": "a date of death",
    "admissiondate": "an admission date",
    "dischargedate": "a discharge date",
    "address": "an address",
    "streetaddress": "an address",
    "street": "an address",
    "address1": "an address",
    "address2": "an address",
    "addressline1": "an address",
    "addressline2": "an address",
    "city": "an address",
    "county": "an address",
    "zip": "an address",
    "zipcode": "an address",
    "postcode": "an address",
    "postalcode": "an address",
    "phone": "a telephone number",
    "phonenumber": "a telephone number",
    "telephone": "a telephone number",
    "mobile": "a telephone number",
    "cell": "a telephone number",
    "fax": "a fax number",
    "email": "an email address",
    "emailaddress": "an email address",
    "ssn": "a Social Security number",
    "socialsecuritynumber": "a Social Security number",
    "healthplanid": "a health plan beneficiary number",
    "memberid": "a health plan beneficiary number",
    "insuranceid": "a health plan beneficiary number",
    "accountnumber": "an account number",
    "licensenumber": "a certificate or license number",
    "ipaddress": "an IP address",
    "url": "a web address",
    "photo": "a photograph",
}

# Words that identify wherever they appear in a column name ("parent_email", "home_phone").
_WORDS: dict[str, str] = {
    "mrn": "a medical record number",
    "dob": "a date of birth",
    "ssn": "a Social Security number",
    "email": "an email address",
    "phone": "a telephone number",
    "telephone": "a telephone number",
    "fax": "a fax number",
    "address": "an address",
    "street": "an address",
    "zip": "an address",
    "zipcode": "an address",
    "postcode": "an address",
    "surname": "a name",
    "firstname": "a name",
    "lastname": "a name",
    "birthdate": "a date of birth",
}

# Pairs of words that identify together ("first name", "date of birth", "patient name").
_PHRASES: dict[tuple[str, ...], str] = {
    ("first", "name"): "a name",
    ("last", "name"): "a name",
    ("middle", "name"): "a name",
    ("given", "name"): "a name",
    ("family", "name"): "a name",
    ("full", "name"): "a name",
    ("patient", "name"): "a name",
    ("parent", "name"): "a name",
    ("guardian", "name"): "a name",
    ("mother", "name"): "a name",
    ("father", "name"): "a name",
    ("birth", "date"): "a date of birth",
    ("date", "of", "birth"): "a date of birth",
    ("medical", "record"): "a medical record number",
    ("social", "security"): "a Social Security number",
    ("postal", "code"): "an address",
    ("ip", "address"): "an IP address",
}


def normalize_column(name: str) -> str:
    """``" Patient Key "``, ``"patient-key"`` and ``"PatientKey"`` all become ``patient_key``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip().lstrip("\ufeff"))
    return _NOT_ALNUM.sub("_", spaced.lower()).strip("_")


def identifier_kind(column: str) -> str | None:
    """What direct identifier ``column`` looks like (e.g. ``"a date of birth"``), or ``None``."""
    normalized = normalize_column(column)
    words = tuple(word for word in normalized.split("_") if word)
    compact = "".join(words)
    if compact in _EXACT:
        return _EXACT[compact]
    for word in words:
        if word in _WORDS:
            return _WORDS[word]
    for phrase, kind in _PHRASES.items():
        size = len(phrase)
        if any(words[i : i + size] == phrase for i in range(len(words) - size + 1)):
            return kind
    return None


def refusal_message(column: str, kind: str) -> str:
    return (
        f"column '{column}' looks like {kind}, a direct identifier under the HIPAA Safe Harbor "
        "rule; registry files may carry only the center-local patient key and clinical fields. "
        "Remove the column and upload again."
    )
