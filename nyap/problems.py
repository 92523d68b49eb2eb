"""The error every input check raises: a list of Swedish messages that say what is wrong and where
(goals.toml, the cache, presentation.toml), shown to the user as a list, never as a traceback."""

from __future__ import annotations


class ProblemsError(Exception):
    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))
