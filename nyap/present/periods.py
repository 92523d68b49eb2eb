"""Which goal period a caption names: the goal list's common period, and the goals that have one
of their own in force for the chosen year ([[goal.period]] or a goal's own baseline_year /
target_year). A goal is evaluated on its own period (Goal.period_for); its caption says the same."""

from __future__ import annotations

from nyap.rules.goals import GoalsConfig


def own_periods(config: GoalsConfig, as_of: int) -> list[tuple[str, str]]:
    """(goal text, "2019–2030") for the goals whose period in force differs from the common one."""
    common = (config.meta.baseline_year, config.meta.target_year)
    out = []
    for goal in config.goals:
        p = goal.period_for(as_of)
        if (p.baseline_year, p.target_year) != common:
            out.append((goal.text, p.label))
    return out


def period_caption(config: GoalsConfig, as_of: int) -> str:
    """'målperiod 2017–2030' and, when some goals have another period that year, which ones."""
    text = f"målperiod {config.meta.baseline_year}–{config.meta.target_year}"
    own = own_periods(config, as_of)
    if not own:
        return text
    if len(own) <= 3:
        return text + " (egen period: " + "; ".join(f"{name} {years}" for name, years in own) + ")"
    return text + f" ({len(own)} mål har egen period, se målet)"


def earliest_baseline(config: GoalsConfig) -> int:
    """The first year any goal can be judged: before it, no goal has a baseline."""
    return min([config.meta.baseline_year] + [p.baseline_year for g in config.goals for p in g.periods])
