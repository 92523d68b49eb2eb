"""Suppression of small survey groups and confidence intervals for survey shares.

One rule for the demo generator, the Liv & Hälsa import and the tests: a group with fewer answers
than min_n is stored as suppressed without value or interval; when one sex is suppressed, the other
sex of the same group is too, so a suppressed value cannot be recovered from the total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

Z95 = 1.959964


def normal_ci(share: pd.Series, n: pd.Series) -> tuple[pd.Series, pd.Series]:
    """95 % normal-approximation interval for a share in percent: p ± 1.96·√(p(100−p)/n)."""
    half = Z95 * np.sqrt(share * (100.0 - share) / n)
    return (share - half).clip(lower=0.0), (share + half).clip(upper=100.0)


def apply_suppression(obs: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """Mark groups with n < min_n as suppressed, the other sex too, and blank their numbers.

    Rows without n (not survey data) are left alone. Works on the observations schema.
    """
    out = obs.copy()
    small = out["n"].notna() & (out["n"] < min_n)
    out["suppressed"] = out["suppressed"].astype(bool) | small
    keys = ["source", "indicator_id", "area_code", "year", "age_group"]
    sexes = out[out["gender"].isin(["K", "M"]) & out["suppressed"]][keys].drop_duplicates()
    if not sexes.empty:
        hit = out[keys].merge(sexes.assign(_hit=True), on=keys, how="left")["_hit"].fillna(False).to_numpy(bool)
        out.loc[hit & out["gender"].isin(["K", "M"]).to_numpy(), "suppressed"] = True
    for col in ("value", "ci_low", "ci_high"):
        out.loc[out["suppressed"], col] = np.nan
    return out
