"""Locales as BCP 47 language tags, from a sane subset: a two-letter ISO 639-1 language,
optionally a script (four letters) and a region (an ISO 3166-1 country or a three-digit UN M.49
area): ``en``, ``en-US``, ``fr-CA``, ``zh-Hant-TW``, ``es-419``. Variants, extensions and private
use are refused: nothing a front-end would translate into.

The code lists are ISO 639-1 and ISO 3166-1 as published in Debian's iso-codes data.
"""

from __future__ import annotations

import re

_TAG = re.compile(
    r"^(?P<language>[A-Za-z]{2})"
    r"(?:-(?P<script>[A-Za-z]{4}))?"
    r"(?:-(?P<region>[A-Za-z]{2}|[0-9]{3}))?$"
)


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


ISO_639_1 = _codes(
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs "
    "cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha "
    "he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn "
    "ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb "
    "nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd "
    "se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw "
    "ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu"
)

ISO_3166_1 = _codes(
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN "
    "BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ "
    "DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL "
    "GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM "
    "JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME "
    "MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP "
    "NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD "
    "SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO "
    "TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
)


def normalize_locale(value: str) -> str | None:
    """``value`` in its canonical case (``en-US``, ``zh-Hant-TW``), ``_`` read as ``-``; None
    if it is not a tag of the subset above."""
    match = _TAG.match(value.strip().replace("_", "-"))
    if match is None:
        return None
    language = match["language"].lower()
    if language not in ISO_639_1:
        return None
    parts = [language]
    if match["script"]:
        parts.append(match["script"].title())
    region = match["region"]
    if region:
        if region.isalpha() and region.upper() not in ISO_3166_1:
            return None
        parts.append(region.upper())
    return "-".join(parts)
