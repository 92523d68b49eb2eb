"""Status colours that every viewer can tell apart: the map, the matrix, the charts and the report
colour by status (nyap/rules/statuses.py). Simulated protanopia, deuteranopia and tritanopia
(colorspacious, severity 100) and greyscale; differences in CAM02-UCS (ΔE ≈ 1 is the smallest
visible step, a few units is easy to miss on a projector)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE

from nyap.present.formatting import contrast_ratio
from nyap.rules.statuses import STATUS_STYLE

VISIONS = {"normal": None, "protanopia": "protanomaly", "deuteranopia": "deuteranomaly", "tritanopia": "tritanomaly"}
# the statuses a room compares most: reached / right way / unchanged / wrong way
DIRECTION = ("reached", "right_way", "unchanged", "wrong_way")
COLOURED = [k for k in STATUS_STYLE if k != "no_data"]  # no data is grey by design (and lighter, below)


def rgb(key: str) -> np.ndarray:
    h = STATUS_STYLE[key][1].lstrip("#")
    return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)]) / 255


def seen(key: str, vision: str) -> np.ndarray:
    if VISIONS[vision] is None:
        return rgb(key)
    cvd = {"name": "sRGB1+CVD", "cvd_type": VISIONS[vision], "severity": 100}
    return np.clip(cspace_convert(rgb(key), cvd, "sRGB1"), 0, 1)


def grey_lightness(key: str) -> float:
    """J' of the colour printed in greyscale (its luminance as a grey)."""
    c = rgb(key)
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4) @ np.array([0.2126, 0.7152, 0.0722])
    return float(cspace_convert([lin, lin, lin], "sRGB1-linear", "CAM02-UCS")[0])


@pytest.mark.parametrize("vision", list(VISIONS))
def test_every_two_statuses_differ_for_every_kind_of_colour_vision(vision):
    too_close = []
    for a, b in itertools.combinations(COLOURED, 2):
        d = float(deltaE(seen(a, vision), seen(b, vision), input_space="sRGB1"))
        least = 15 if a in DIRECTION and b in DIRECTION else 9
        if d < least:
            too_close.append((a, b, round(d, 1), least))
    assert too_close == [], too_close


def test_the_good_and_the_bad_stay_apart_in_greyscale():
    """A black-and-white print of the report or a washed-out projector: wrong way is not the same
    grey as reached or right way, the two good statuses differ, and no data is lighter than
    unchanged."""
    j = {k: grey_lightness(k) for k in STATUS_STYLE}
    # all text colours are dark (4.5:1), so greys lie close together: the symbols carry the rest
    assert abs(j["wrong_way"] - j["reached"]) >= 6 and abs(j["wrong_way"] - j["right_way"]) >= 6, j
    assert abs(j["reached"] - j["right_way"]) >= 10, j
    assert j["no_data"] - j["unchanged"] >= 10, j


def test_every_status_has_its_own_symbol_and_readable_colour():
    """Status is never told by colour alone: a symbol of its own; and the words in status colour
    are readable text (WCAG AA 4.5:1) on white and on the tinted focus row and county column."""
    symbols = [sym for sym, _, _ in STATUS_STYLE.values()]
    assert len(set(symbols)) == len(symbols)
    for key, (_, colour, _) in STATUS_STYLE.items():
        for background in ("#ffffff", "#eef4fb", "#fbf4ec"):
            assert contrast_ratio(colour, background) >= 4.5, (key, background)


def test_the_old_red_green_pair_would_have_failed():
    """The check can fail: the former 'Uppnått' green and 'fel håll' red under protanopia."""
    old = {"reached": "#1b5e20", "wrong_way": "#b3261e"}

    def as_seen(h):
        c = np.array([int(h.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)]) / 255
        return np.clip(cspace_convert(c, {"name": "sRGB1+CVD", "cvd_type": "protanomaly", "severity": 100}, "sRGB1"), 0, 1)

    assert float(deltaE(as_seen(old["reached"]), as_seen(old["wrong_way"]), input_space="sRGB1")) < 15
