"""The error every input check raises: a list of Swedish messages that say what is wrong and where
(goals.toml, the cache, presentation.toml), shown to the user as a list, never as a traceback."""

from __future__ import annotations


class ProblemsError(Exception):
    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


# Where a parser stopped, in Swedish: the libraries' own text ("Expecting property name enclosed
# in double quotes", "Expected '=' after a key") is English, and the user needs the place, not the
# parser's words. The full message goes to the server log where a page shows the problem.

def toml_where(exc) -> str:
    """'rad 3, kolumn 5' from a tomllib.TOMLDecodeError (its text ends "(at line 3, column 5)")."""
    import re

    m = re.search(r"at line (\d+), column (\d+)", str(exc))
    if m:
        return f"rad {m.group(1)}, kolumn {m.group(2)}"
    m = re.search(r"at end of document", str(exc))
    return "i slutet av filen" if m else "okänd plats"


def json_where(exc) -> str:
    """'rad 1, kolumn 2' from a json.JSONDecodeError; for text that is not UTF-8, the byte."""
    if hasattr(exc, "lineno") and hasattr(exc, "colno"):
        return f"rad {exc.lineno}, kolumn {exc.colno}"
    if hasattr(exc, "start"):
        return f"tecken nummer {exc.start + 1} är inte UTF-8"
    return "okänd plats"


def parse_toml(text: str, name: str, headings: str, error: type[ProblemsError] = ProblemsError) -> dict:
    """TOML text as a dict, or `error` with the one Swedish message for a syntax error (goals.toml
    and presentation.toml): the file, the place, and what to look at."""
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error([f"{name}: filen är inte giltig TOML ({toml_where(exc)}): kontrollera citattecken, "
                     f"likhetstecken och {headings} där."]) from exc
