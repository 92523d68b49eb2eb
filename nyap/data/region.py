"""The region as data: which county the dashboard is for, its municipalities and every area name.

`[meta] county` in goals.toml decides everything (e.g. "0017" Värmland, "0018" Örebro län). The
municipalities and names come from nyap/sweden_areas.csv, the list of every Swedish municipality
and region as Kolada's v3 API gives it (codes and names are public facts from SCB/Kolada; a
refresh updates the names from Kolada). A county's municipalities are those whose code starts with
the county's two digits (SCB's länskod: 17xx are Värmland's). The Kolada group id of "the county's
municipalities, unweighted mean" is optional: without it the county reference of K-type KPIs is
our own, labelled mean.

Codes are strings (leading zeros matter); never store them as integers.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass, field
from pathlib import Path

AREAS_FILE = Path(__file__).with_name("sweden_areas.csv")
COUNTRY = "0000"


@dataclass(frozen=True)
class Region:
    county: str  # Kolada's id of the region (L), e.g. "0017"
    county_name: str  # "Region Värmland"
    municipalities: dict[str, str]  # code -> name, in code order
    group: str | None = None  # Kolada group: the county's municipalities, unweighted mean
    country: str = COUNTRY
    country_name: str = "Riket"
    extra_names: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.municipalities)

    @property
    def group_name(self) -> str:
        return f"{self.county_name}s kommuner, ovägt medel" if not self.county_name.endswith("s") \
            else f"{self.county_name} kommuner, ovägt medel"

    def is_municipality(self, code: str) -> bool:
        return code in self.municipalities

    def names(self) -> dict[str, str]:
        """Every area's display name: municipalities, the county, the country and the group."""
        names = dict(self.municipalities)
        names[self.county] = self.county_name
        names[self.country] = self.country_name
        if self.group:
            names[self.group] = self.group_name
        names.update(self.extra_names)
        return names

    def kind(self, code: str) -> str:
        if code in self.municipalities:
            return "municipality"
        return {self.county: "county", self.country: "country", self.group: "group"}.get(code, "")

    def fetch_codes(self) -> list[str]:
        """The areas a refresh asks Kolada for (the group on its own, see nyap/ingest/refresh.py)."""
        return [*self.municipalities, self.county, self.country]

    def area_rows(self, names: dict[str, str] | None = None) -> list[dict]:
        """The cache's areas table; `names` (from Kolada) override the shipped names."""
        names = names or {}
        rows = [dict(code=c, name=names.get(c, n), kind="municipality") for c, n in self.municipalities.items()]
        rows.append(dict(code=self.county, name=names.get(self.county, self.county_name), kind="county"))
        rows.append(dict(code=self.country, name=names.get(self.country, self.country_name), kind="country"))
        if self.group:
            rows.append(dict(code=self.group, name=self.group_name, kind="group"))
        return rows

    def with_names(self, names: dict[str, str]) -> "Region":
        """The same region with names from a refreshed cache (Kolada's current spelling)."""
        munis = {c: names.get(c, n) for c, n in self.municipalities.items()}
        return Region(self.county, names.get(self.county, self.county_name), munis, self.group, self.country,
                      names.get(self.country, self.country_name), self.extra_names)


class RegionError(ValueError):
    """A county code that is not one of Sweden's regions (message in Swedish)."""


@functools.cache
def _all_areas() -> tuple[tuple[str, str, str], ...]:
    with open(AREAS_FILE, encoding="utf-8") as fh:
        return tuple((r["id"], r["title"], r["type"]) for r in csv.DictReader(fh))


def counties() -> dict[str, str]:
    """Every Swedish region: code -> name (e.g. "0017" -> "Region Värmland")."""
    return {code: name for code, name, kind in _all_areas() if kind == "L" and code != COUNTRY}


@functools.cache
def region_for(county: str, group: str | None = None) -> Region:
    """The region of a county code, with its municipalities from the shipped table."""
    names = counties()
    if county not in names:
        raise RegionError(f"Länskoden {county!r} finns inte bland Sveriges regioner (t.ex. \"0017\" för "
                          "Värmland, \"0018\" för Örebro län).")
    prefix = county[-2:]
    munis = {code: name for code, name, kind in _all_areas() if kind == "K" and code[:2] == prefix}
    return Region(county, names[county], dict(sorted(munis.items())), group or None)
