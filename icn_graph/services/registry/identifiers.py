"""Columns that look like direct identifiers (HIPAA Safe Harbor, 45 CFR 164.514(b)(2), and
national health identifiers such as the UK's NHS and CHI numbers).

Registry uploads carry a pseudonymous patient key and clinical fields only. A header that looks
like one of the Safe Harbor identifiers (names and initials, addresses and postcodes, dates and
years of birth, phone and fax numbers, email, SSN, medical record, hospital and other account
numbers, ...) or a national health, insurance or identity number is refused before any row is
read. Matching ignores case, accents and separators (``NHS No.``, ``nhs_number``, ``NHSNumber``,
``Prénom``) and a possessive ``'s`` (``Patient's Name``), and catches a person's name in either
order (``Patient Name``, ``Name of Patient``, ``Nom du patient``).
"""

from __future__ import annotations

import re
import unicodedata

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_POSSESSIVE = re.compile(r"(?<=\w)['\u2019]s\b", re.IGNORECASE)
_NATIONAL = "a national health, insurance or identity number"
# Letters that Unicode does not decompose into a base letter and an accent.
_UNDECOMPOSED = str.maketrans(
    {"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D"}
)

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
    # Initials, record ids and years of birth identify as surely in a small registry.
    "patientinitials": "a name",
    "ptinitials": "a name",
    "nickname": "a name",
    "maidenname": "a name",
    "alias": "a name",
    "recordid": "a medical record number",
    "recordno": "a medical record number",
    "hospitalnumber": "a medical record number",
    "hospitalno": "a medical record number",
    "hospitalid": "a medical record number",
    "hospno": "a medical record number",
    "hospnum": "a medical record number",
    "unitnumber": "a medical record number",
    "casenumber": "a medical record number",
    "birthyear": "a date of birth",
    "yearofbirth": "a date of birth",
    "yob": "a date of birth",
    "birthmonth": "a date of birth",
    "monthofbirth": "a date of birth",
    "placeofbirth": "an address",
    "birthplace": "an address",
    "pincode": "an address",
    "eircode": "an address",
    "chi": _NATIONAL,
    "chinumber": _NATIONAL,
    "chino": _NATIONAL,
    "sin": _NATIONAL,
    "nino": _NATIONAL,
    "nhs": _NATIONAL,
    "nhsno": _NATIONAL,
    "nhsnumber": _NATIONAL,
    "nhsid": _NATIONAL,
    # Other countries' spellings (UK, Ireland, Canada, Australia, Europe).
    "forename": "a name",
    "forenames": "a name",
    "christianname": "a name",
    "nom": "a name",
    "prenom": "a name",
    "nombre": "a name",
    "nextofkin": "a name",
    "tel": "a telephone number",
    "telno": "a telephone number",
    "mobileno": "a telephone number",
    "mobilenumber": "a telephone number",
    "town": "an address",
    "suburb": "an address",
    "plz": "an address",
    "urn": "a medical record number",
    "urnumber": "a medical record number",
    "ppsn": _NATIONAL,
    "cpr": _NATIONAL,
    "hetu": _NATIONAL,
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
    "initials": "a name",
    "nhsno": _NATIONAL,
    "nhsnumber": _NATIONAL,
    "chinumber": _NATIONAL,
    "medicare": _NATIONAL,
    "medicaid": _NATIONAL,
    "ohip": _NATIONAL,
    "healthcard": _NATIONAL,
    "phn": _NATIONAL,
    "ihi": _NATIONAL,
    "nhi": _NATIONAL,
    "bsn": _NATIONAL,
    "personnummer": _NATIONAL,
    "pesel": _NATIONAL,
    "aadhaar": _NATIONAL,
    "passport": _NATIONAL,
    "yob": "a date of birth",
    "birthyear": "a date of birth",
    "yearofbirth": "a date of birth",
    "hospitalnumber": "a medical record number",
    "recordid": "a medical record number",
    "forename": "a name",
    "forenames": "a name",
    "prenom": "a name",
    "vorname": "a name",
    "nachname": "a name",
    "apellido": "a name",
    "apellidos": "a name",
    "geburtsdatum": "a date of birth",
    "fodselsdato": "a date of birth",
    "adresse": "an address",
    "anschrift": "an address",
    "direccion": "an address",
    "postleitzahl": "an address",
    "telefon": "a telephone number",
    "telefono": "a telephone number",
    "courriel": "an email address",
    "ppsn": _NATIONAL,
    "cprnummer": _NATIONAL,
    "burgerservicenummer": _NATIONAL,
    "fodselsnummer": _NATIONAL,
    "henkilotunnus": _NATIONAL,
    "ramq": _NATIONAL,
    "aadhar": _NATIONAL,
}

# Words for a name, in English and in the languages of other networks' registries.
_NAME_WORDS = frozenset({"name", "names", "nom", "noms", "nombre", "nombres", "navn", "naam"})

# Words for a person (the patient or someone close to them): with "name" they name someone.
_PEOPLE = frozenset(
    {
        "patient", "patients", "pt", "person", "parent", "parents", "guardian", "mother", "mom",
        "mum", "father", "dad", "child", "children", "kid", "baby", "son", "daughter", "sibling",
        "spouse", "partner", "contact", "caregiver", "carer", "relative", "kin", "nok",
        "emergency", "family", "first", "last", "middle", "given", "full", "maiden", "sur",
        "legal", "preferred", "pat", "patiente", "paciente", "enfant", "nino", "madre",
        "padre", "mere", "pere",
    }
)  # fmt: skip

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
    ("hospital", "number"): "a medical record number",
    ("hospital", "no"): "a medical record number",
    ("hospital", "num"): "a medical record number",
    ("hospital", "id"): "a medical record number",
    ("record", "id"): "a medical record number",
    ("record", "no"): "a medical record number",
    ("record", "num"): "a medical record number",
    ("nhs", "number"): _NATIONAL,
    ("nhs", "no"): _NATIONAL,
    ("nhs", "num"): _NATIONAL,
    ("nhs", "id"): _NATIONAL,
    ("chi", "number"): _NATIONAL,
    ("chi", "no"): _NATIONAL,
    ("chi", "num"): _NATIONAL,
    ("national", "insurance"): _NATIONAL,
    ("national", "id"): _NATIONAL,
    ("national", "identifier"): _NATIONAL,
    ("national", "number"): _NATIONAL,
    ("insurance", "number"): _NATIONAL,
    ("health", "card"): _NATIONAL,
    ("health", "number"): _NATIONAL,
    ("social", "insurance"): _NATIONAL,
    ("birth", "year"): "a date of birth",
    ("year", "of", "birth"): "a date of birth",
    ("birth", "month"): "a date of birth",
    ("month", "of", "birth"): "a date of birth",
    ("place", "of", "birth"): "an address",
    ("post", "code"): "an address",
    ("zip", "code"): "an address",
    ("birth", "date"): "a date of birth",
    ("date", "of", "birth"): "a date of birth",
    ("medical", "record"): "a medical record number",
    ("social", "security"): "a Social Security number",
    ("postal", "code"): "an address",
    ("ip", "address"): "an IP address",
    ("next", "of", "kin"): "a name",
    ("emergency", "contact"): "a name",
    ("soc", "sec"): "a Social Security number",
    ("mobile", "no"): "a telephone number",
    ("mobile", "number"): "a telephone number",
    ("tel", "no"): "a telephone number",
    ("tel", "number"): "a telephone number",
    ("home", "tel"): "a telephone number",
    ("ur", "number"): "a medical record number",
    ("ur", "no"): "a medical record number",
    ("unit", "record"): "a medical record number",
    ("pps", "number"): _NATIONAL,
    ("pps", "no"): _NATIONAL,
    ("cpr", "number"): _NATIONAL,
    ("cpr", "nr"): _NATIONAL,
    ("cpr", "no"): _NATIONAL,
    ("cpr", "nummer"): _NATIONAL,
    ("assurance", "maladie"): _NATIONAL,
    ("date", "de", "naissance"): "a date of birth",
    ("fecha", "de", "nacimiento"): "a date of birth",
    ("code", "postal"): "an address",
    ("codigo", "postal"): "an address",
}


def normalize_column(name: str) -> str:
    """``" Patient Key "``, ``"patient-key"`` and ``"PatientKey"`` all become ``patient_key``."""
    # A byte-order mark, like any other symbol, becomes "_" and is stripped at the ends.
    unpossessed = _POSSESSIVE.sub("", _unaccented(name.strip()))
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", unpossessed)
    return _NOT_ALNUM.sub("_", spaced.lower()).strip("_")


def _unaccented(text: str) -> str:
    """``"Prénom"`` -> ``"Prenom"``, ``"Fødselsdato"`` -> ``"Fodselsdato"``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


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
    if _NAME_WORDS.intersection(words) and _PEOPLE.intersection(words):
        return "a name"
    for phrase, kind in _PHRASES.items():
        size = len(phrase)
        if any(words[i : i + size] == phrase for i in range(len(words) - size + 1)):
            return kind
    return None


def refusal_message(column: str, kind: str) -> str:
    return (
        f"column '{column}' looks like {kind}, a direct identifier (HIPAA Safe Harbor rule, "
        "national health identifiers); registry files may carry only the center-local "
        "patient key and clinical fields. "
        "Remove the column and upload again."
    )
