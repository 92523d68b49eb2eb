"""Area codes in general. Which areas the dashboard shows is the region's business (nyap/data/region.py).

Codes are strings (leading zeros matter); never store them as integers.
"""

from __future__ import annotations

from nyap.data.region import COUNTRY  # noqa: F401  (the nation: the same for every county)

AREA_KINDS = ("municipality", "county", "country", "group")


def is_valid_area_code(code: str) -> bool:
    """Municipality/county/country codes are 4 digits; Kolada groups are 'G' + digits."""
    if not isinstance(code, str):
        return False
    if len(code) == 4 and code.isdigit():
        return True
    return code.startswith("G") and code[1:].isdigit()
