"""The areas the dashboard knows: Värmland's 16 municipalities, the county, the country, the group.

Codes are strings (leading zeros matter); never store them as integers.
"""

from __future__ import annotations

COUNTY = "0017"
COUNTRY = "0000"
COUNTY_GROUP = "G33624"  # Kolada: Värmlands läns kommuner (ovägt medel)

MUNICIPALITIES: dict[str, str] = {
    "1715": "Kil",
    "1730": "Eda",
    "1737": "Torsby",
    "1760": "Storfors",
    "1761": "Hammarö",
    "1762": "Munkfors",
    "1763": "Forshaga",
    "1764": "Grums",
    "1765": "Årjäng",
    "1766": "Sunne",
    "1780": "Karlstad",
    "1781": "Kristinehamn",
    "1782": "Filipstad",
    "1783": "Hagfors",
    "1784": "Arvika",
    "1785": "Säffle",
}

OTHER_AREAS: dict[str, tuple[str, str]] = {
    COUNTY: ("Region Värmland", "county"),
    COUNTRY: ("Riket", "country"),
    COUNTY_GROUP: ("Värmlands läns kommuner, ovägt medel", "group"),
}

AREA_KINDS = ("municipality", "county", "country", "group")


def area_names() -> dict[str, str]:
    names = dict(MUNICIPALITIES)
    names.update({code: name for code, (name, _) in OTHER_AREAS.items()})
    return names




def is_valid_area_code(code: str) -> bool:
    """Municipality/county/country codes are 4 digits; Kolada groups are 'G' + digits."""
    if not isinstance(code, str):
        return False
    if len(code) == 4 and code.isdigit():
        return True
    return code.startswith("G") and code[1:].isdigit()
