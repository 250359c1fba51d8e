"""A machine's time zone as inventories report it → the name the site stores.

systeminfo prints the zone's display name, translated: "Time Zone: (UTC+01:00) Amsterdam, Berlin,
Bern, Rome, Stockholm, Vienna", "Zeitzone: (UTC+01:00) Amsterdam, Berlin, Bern, Rom, Stockholm, Wien",
"Fuso orario: (UTC+01:00) Amsterdam, Berlino, ...". The offset in brackets has the same shape in
every language (older Windows writes "GMT"); the cities are translated, but most zones name at
least one city whose spelling survives translation, or a word we list in several languages.

So: a display name whose offset and a listed word match a known zone becomes its IANA name
("Europe/Berlin": daylight saving included); anything else becomes the fixed offset it shows
("UTC+01:00"), which is right for half the year at worst and says so by its name. The agent's own
JSON carries a zone name directly.
"""

from __future__ import annotations

import re

_DISPLAY = re.compile(r"^\(\s*(?:UTC|GMT)\s*(?:([+-])\s*(\d{1,2}):(\d{2}))?\s*\)\s*(.*)$", re.IGNORECASE | re.DOTALL)

# (offset as shown, words (lower case; any one matches), IANA zone). The first match wins, so a
# more specific entry comes before a general one of the same offset.
_KNOWN: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("+00:00", ("dublin", "edinburgh", "lisbon", "london", "lisbona", "londra", "lissabon", "londres", "lisboa"),
     "Europe/London"),
    ("+00:00", ("coordinated universal time", "utc", "koordinierte weltzeit", "tempo coordinato"), "UTC"),
    ("+00:00", ("monrovia", "reykjavik"), "Atlantic/Reykjavik"),
    ("+00:00", ("casablanca",), "Africa/Casablanca"),
    ("+01:00", ("amsterdam", "阿姆斯特丹"), "Europe/Berlin"),
    ("+01:00", ("brussels", "bruxelles", "brüssel", "bruxelas", "bruselas", "copenhagen", "madrid", "paris", "parigi",
                "布鲁塞尔"), "Europe/Paris"),
    ("+01:00", ("belgrade", "bratislava", "budapest", "ljubljana", "prague", "prag", "praga", "贝尔格莱德"),
     "Europe/Budapest"),
    ("+01:00", ("sarajevo", "skopje", "warsaw", "warschau", "varsavia", "zagreb", "萨拉热窝"), "Europe/Warsaw"),
    ("+01:00", ("west central africa",), "Africa/Lagos"),
    ("+02:00", ("helsinki", "kyiv", "kiev", "riga", "sofia", "tallinn", "vilnius"), "Europe/Helsinki"),
    ("+02:00", ("athens", "bucharest", "atene", "athen", "bucarest", "bukarest"), "Europe/Bucharest"),
    ("+02:00", ("jerusalem", "gerusalemme"), "Asia/Jerusalem"),
    ("+02:00", ("cairo", "kairo", "il cairo"), "Africa/Cairo"),
    ("+02:00", ("harare", "pretoria"), "Africa/Johannesburg"),
    ("+03:00", ("moscow", "moskau", "mosca", "moscou", "st. petersburg", "москва"), "Europe/Moscow"),
    ("+03:00", ("istanbul",), "Europe/Istanbul"),
    ("+03:00", ("kuwait", "riyadh"), "Asia/Riyadh"),
    ("+03:00", ("nairobi",), "Africa/Nairobi"),
    ("+03:30", ("tehran",), "Asia/Tehran"),
    ("+04:00", ("abu dhabi", "muscat", "dubai"), "Asia/Dubai"),
    ("+05:00", ("islamabad", "karachi"), "Asia/Karachi"),
    ("+05:30", ("chennai", "kolkata", "mumbai", "new delhi"), "Asia/Kolkata"),
    ("+05:45", ("kathmandu",), "Asia/Kathmandu"),
    ("+06:00", ("dhaka",), "Asia/Dhaka"),
    ("+07:00", ("bangkok", "hanoi", "jakarta"), "Asia/Bangkok"),
    ("+08:00", ("beijing", "chongqing", "hong kong", "urumqi", "北京", "pechino", "peking"), "Asia/Shanghai"),
    ("+08:00", ("kuala lumpur", "singapore", "singapur"), "Asia/Singapore"),
    ("+08:00", ("perth",), "Australia/Perth"),
    ("+08:00", ("taipei", "台北"), "Asia/Taipei"),
    ("+09:00", ("osaka", "sapporo", "tokyo", "tokio", "大阪", "東京"), "Asia/Tokyo"),
    ("+09:00", ("seoul", "서울"), "Asia/Seoul"),
    ("+09:30", ("adelaide",), "Australia/Adelaide"),
    ("+09:30", ("darwin",), "Australia/Darwin"),
    ("+10:00", ("canberra", "melbourne", "sydney"), "Australia/Sydney"),
    ("+10:00", ("brisbane",), "Australia/Brisbane"),
    ("+12:00", ("auckland", "wellington"), "Pacific/Auckland"),
    ("-03:00", ("brasilia", "brasília"), "America/Sao_Paulo"),
    ("-03:00", ("buenos aires",), "America/Argentina/Buenos_Aires"),
    ("-03:30", ("newfoundland",), "America/St_Johns"),
    ("-04:00", ("atlantic time",), "America/Halifax"),
    ("-05:00", ("eastern time", "östliche zeit", "ora orientale"), "America/New_York"),
    ("-05:00", ("bogota", "lima", "quito"), "America/Bogota"),
    ("-06:00", ("central time", "zentrale zeit", "ora centrale"), "America/Chicago"),
    ("-06:00", ("guadalajara", "mexico city", "monterrey"), "America/Mexico_City"),
    ("-07:00", ("arizona",), "America/Phoenix"),
    ("-07:00", ("mountain time",), "America/Denver"),
    ("-08:00", ("pacific time", "pazifische zeit", "ora del pacifico"), "America/Los_Angeles"),
    ("-09:00", ("alaska",), "America/Anchorage"),
    ("-10:00", ("hawaii",), "Pacific/Honolulu"),
)


def looks_like_zone_display(value: str) -> bool:
    """Whether a systeminfo value is a zone display name ("(UTC+01:00) ...", "(GMT) ...")."""
    return bool(_DISPLAY.match(value.strip()))


def zone_from_display(value: str | None) -> str | None:
    """'(UTC+01:00) Amsterdam, Berlin, ...' → 'Europe/Berlin'; an unknown one → 'UTC+01:00'; None when
    the value is not a zone display name at all."""
    found = _DISPLAY.match((value or "").strip())
    if not found:
        return None
    sign, hours, minutes, rest = found.groups()
    if sign and (int(hours) > 14 or int(minutes) >= 60):
        return None
    offset = f"{sign}{int(hours):02d}:{minutes}" if sign else "+00:00"
    words = " ".join(rest.lower().split())
    for shown, names, zone in _KNOWN:
        if shown == offset and any(name in words for name in names):
            return zone
    return "UTC" if offset in ("+00:00", "-00:00") else f"UTC{offset}"
