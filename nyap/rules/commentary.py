"""A municipality's own words beside the figures: `kommentarer/<kod>.toml`, written by the
municipality's strategist, shown as "Kommunens kommentar" in Aktuellt perspektiv and on the goal
page. Read and checked here, once for the report, the app and `nyap check`: a file that cannot be
used gives Swedish messages naming the file and the line, never a half-read commentary.

    ar = 2022                      # optional: the year of the report the text was written for
    sammanfattning = "..."         # optional: on the report's first page
    [mal.behorighet]               # the goal measure's key (the link's mal=)
    kommentar = "..."              # what the municipality reads in the figures
    atgarder = "..."               # optional: what it does about it
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from nyap.problems import ProblemsError, parse_toml
from nyap.rules.goals import GoalsConfig

MAX_CHARS = 2000  # a comment is a paragraph or two beside a chart, not a report of its own
GOAL_FIELDS = {"kommentar": "Kommentar", "atgarder": "Åtgärder"}
TOP_FIELDS = ("ar", "sammanfattning", "mal")


class CommentaryError(ProblemsError):
    """A commentary file that cannot be used, in Swedish, with the file and the line."""


@dataclass(frozen=True)
class GoalComment:
    comment: str = ""
    actions: str = ""


@dataclass(frozen=True)
class Commentary:
    area: str
    source: str = ""  # the file as the messages and the report name it ("kommentarer/1715.toml")
    year: int | None = None
    summary: str = ""
    goals: dict[str, GoalComment] = field(default_factory=dict)

    def for_goal(self, key: str) -> GoalComment | None:
        return self.goals.get(key)

    def heading(self, as_of: int | None = None) -> str:
        """'Kommunens kommentar', with the year it was written for when that is not the shown year."""
        return "Kommunens kommentar" + (f" (skriven för {self.year})" if self.year and self.year != as_of else "")


def commentary_path(directory: Path, area: str) -> Path:
    return Path(directory) / f"{area}.toml"


def commentary_digest(directory: Path, area: str) -> str:
    """The file's content as a key: an edited comment makes a new report, an unchanged one reuses it."""
    path = commentary_path(directory, area)
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return ""


def _line_of(lines: list[str], pattern: str, start: int = 0) -> int | None:
    rx = re.compile(pattern)
    for i in range(start, len(lines)):
        if rx.search(lines[i]):
            return i + 1
    return None


def _at(name: str, line: int | None) -> str:
    return f"{name}, rad {line}" if line else name


def _text(value, where: str, what: str, problems: list[str]) -> str:
    if not isinstance(value, str):
        problems.append(f"{where}: {what} ska vara text inom citattecken, till exempel {what.split()[0]} = \"…\".")
        return ""
    text = value.strip()
    if len(text) > MAX_CHARS:
        problems.append(f"{where}: {what} är {len(text)} tecken; högst {MAX_CHARS} får plats bredvid diagrammet. "
                        "Korta texten.")
        return ""
    return text


def parse_commentary(text: str, name: str, config: GoalsConfig, area: str) -> Commentary:
    """The commentary in `text` (the file named `name`), checked against the goals: every problem
    at once, so the strategist fixes the file in one go."""
    data = parse_toml(text, name, "rubrikerna [mal.<nyckel>]", CommentaryError)
    lines = text.splitlines()
    problems: list[str] = []
    for key in data:
        if key not in TOP_FIELDS:
            line = _line_of(lines, r'^\s*"?' + re.escape(key) + r'"?\s*[=.\]]')
            problems.append(f"{_at(name, line)}: okänt fält \"{key}\" (tillåtna överst i filen: ar, "
                            "sammanfattning och rubriker [mal.<nyckel>]).")
    year = data.get("ar")
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100):
        where = _at(name, _line_of(lines, r"^\s*ar\s*="))
        problems.append(f"{where}: ar ska vara ett årtal utan citattecken, "
                        "till exempel ar = 2024.")
        year = None
    summary = ""
    if "sammanfattning" in data:
        summary = _text(data["sammanfattning"], _at(name, _line_of(lines, r"^\s*sammanfattning\s*=")),
                        "sammanfattning", problems)
    goals: dict[str, GoalComment] = {}
    known = {key for goal in config.goals for key, _track in goal.measure_keys}
    tables = data.get("mal", {})
    if not isinstance(tables, dict):
        where = _at(name, _line_of(lines, r"^\s*mal\s*="))
        problems.append(f"{where}: mal ska vara rubriker [mal.<nyckel>], "
                        "en per mål.")
        tables = {}
    for key, entry in tables.items():
        quoted = '"?' + re.escape(key) + '"?'
        header = _line_of(lines, r"^\s*\[\s*mal\s*\.\s*" + quoted + r"\s*\]") or \
            _line_of(lines, r"^\s*mal\s*\.\s*" + quoted)
        if key not in known:
            close = sorted(k for k in known if k.split(".")[0][:4] == key[:4]) or sorted(known)[:6]
            problems.append(f"{_at(name, header)}: målet \"{key}\" finns inte i goals.toml. Nyckeln är målets id, "
                            f"samma som mal= i appens länk (till exempel {', '.join(close[:6])}).")
            continue
        if not isinstance(entry, dict):
            problems.append(f"{_at(name, header)}: [mal.{key}] ska vara en rubrik med kommentar = \"…\" under.")
            continue
        texts = {}
        for fname, value in entry.items():
            line = _line_of(lines, r'^\s*"?' + re.escape(fname) + r'"?\s*=', header - 1) if header else None
            if fname not in GOAL_FIELDS:
                problems.append(f"{_at(name, line)}: okänt fält \"{fname}\" under [mal.{key}] "
                                f"(tillåtna: {', '.join(GOAL_FIELDS)}).")
                continue
            texts[fname] = _text(value, _at(name, line), fname, problems)
        if any(texts.values()):
            goals[key] = GoalComment(texts.get("kommentar", ""), texts.get("atgarder", ""))
    if problems:
        raise CommentaryError(problems)
    return Commentary(area, name, year, summary, goals)


def load_commentary(directory: Path, config: GoalsConfig, area: str) -> Commentary:
    """The area's commentary, or an empty one when it has no file. CommentaryError if the file
    cannot be read or used."""
    path = commentary_path(directory, area)
    name = f"{Path(directory).name}/{path.name}"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Commentary(area)
    except OSError as exc:
        raise CommentaryError(f"{name}: filen kan inte läsas ({exc.strerror or type(exc).__name__}).") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise CommentaryError(f"{name}, rad {line}: filen är inte sparad som UTF-8. Spara den som UTF-8 "
                              "(i Anteckningar: Spara som → Kodning UTF-8).") from exc
    return parse_commentary(text, name, config, area)


def check_commentary_files(directory: Path, config: GoalsConfig) -> list[str]:
    """Every problem in every commentary file (nyap check): unusable files and file names that
    are not one of the county's areas."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    areas = {*config.region.municipalities, config.meta.county}
    problems = []
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        if path.suffix != ".toml" or path.stem not in areas:
            problems.append(f"{directory.name}/{path.name}: filnamnet ska vara en kommunkod eller länets kod och "
                            f".toml, till exempel 1715.toml för Kil eller {config.meta.county}.toml för länet.")
            continue
        try:
            load_commentary(directory, config, path.stem)
        except CommentaryError as exc:
            problems.extend(exc.problems)
    return problems
