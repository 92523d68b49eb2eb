"""Liv & Hälsa import: the example imports; hostile and broken files give the right message and
leave the cache untouched; suppressed values never appear anywhere."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from nyap import PROJECT_ROOT
from nyap.data.cache import load_cache
from nyap.ingest.livhalsa import ExtractError, import_extract, read_extract

EXAMPLES = PROJECT_ROOT / "data" / "examples"
HEADER = "indikator;omrade_kod;ar;kon;aldersgrupp;andel;ki_nedre;ki_ovre;antal_svar"


@pytest.fixture
def cache_dir(tmp_path, demo_cache_dir):
    """A copy of the demo cache (what a refresh or an import replaces or joins)."""
    target = tmp_path / "cache"
    shutil.copytree(demo_cache_dir, target)
    return target


def write(tmp_path, text: str, name: str = "uttag.csv", encoding: str = "utf-8") -> object:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("name", ["livhalsa_exempel_DEMO.xlsx", "livhalsa_exempel_DEMO.csv"])
def test_the_example_imports(config, cache_dir, name):
    cache, report = import_extract(EXAMPLES / name, cache_dir, config)
    assert report.rows == 7 * 17 * 2 * 3 * 5 and report.demo and cache.is_demo
    assert report.suppressed > 0 and report.computed_ci > 0
    obs = cache.observations
    lh = obs[obs["source"] == "livhalsa"]
    assert set(lh["age_group"]) == {"18-29", "30-44", "45-64", "65-84", "18-84"}
    assert set(lh["year"]) == {2017, 2022}
    shown = lh[~lh["suppressed"]]
    assert shown["ci_low"].notna().all() and (shown["ci_low"] <= shown["value"]).all()
    assert any(s["name"] == "livhalsa" and s["file"] == name for s in cache.manifest["sources"])
    assert bool(cache.indicator("LH_rokning")["has_age_groups"])


def test_import_is_idempotent(config, cache_dir):
    first, _ = import_extract(EXAMPLES / "livhalsa_exempel_DEMO.csv", cache_dir, config)
    again, _ = import_extract(EXAMPLES / "livhalsa_exempel_DEMO.csv", cache_dir, config)
    assert len(first.observations) == len(again.observations)


def test_cp1252_semicolons_and_decimal_commas(tmp_path, config, cache_dir):
    text = "\n".join([HEADER, "U01405;1780;2022;Kvinnor;18–29 år;72,5;68,1;76,9;400",
                      "U01405;1780;2022;Män;18-29;70,0;;;380", "U01405;0017;2022;Totalt;18-84;71,2;70,4;72,0;9000"])
    cache, report = import_extract(write(tmp_path, text, encoding="cp1252"), cache_dir, config)
    o = cache.observations
    o = o[o["indicator_id"] == "U01405"]
    row = o[(o["source"] == "livhalsa") & (o["area_code"] == "1780") & (o["gender"] == "K") & (o["year"] == 2022)
            & (o["age_group"] == "18-29")].iloc[0]
    assert row["value"] == 72.5 and row["ci_low"] == 68.1 and row["n"] == 400
    men = o[(o["source"] == "livhalsa") & (o["area_code"] == "1780") & (o["gender"] == "M") & (o["year"] == 2022)
            & (o["age_group"] == "18-29")].iloc[0]
    # missing CI: 70 ± 1.96·√(70·30/380) = 70 ± 4.61
    assert men["ci_low"] == pytest.approx(65.39, abs=0.01) and men["ci_high"] == pytest.approx(74.61, abs=0.01)
    assert report.computed_ci == 1


def test_comma_separated_utf8_with_dot_decimals_and_codes(tmp_path, config, cache_dir):
    text = "\n".join(["indikator,omrade_kod,ar,kon,aldersgrupp,andel,ki_nedre,ki_ovre,antal_svar",
                      "U01413,1780,2022,K,30-44,25.5,21.0,30.0,500", "U01413,17,2022,T,18-84,27.1,26.2,28.0,9000"])
    cache, _ = import_extract(write(tmp_path, text), cache_dir, config)
    assert "0017" in set(cache.observations.loc[cache.observations["indicator_id"] == "U01413", "area_code"])


def test_small_groups_are_suppressed_and_the_other_sex_too(tmp_path, config, cache_dir):
    text = "\n".join([HEADER, "U01405;1762;2022;K;18-29;81,377;;;40", "U01405;1762;2022;M;18-29;63,717;;;140",
                      "U01405;1762;2022;T;18-29;72,0;;;180"])
    cache, report = import_extract(write(tmp_path, text), cache_dir, config)
    o = cache.observations
    rows = o[(o["source"] == "livhalsa") & (o["area_code"] == "1762") & (o["year"] == 2022) & (o["age_group"] == "18-29")
             & (o["indicator_id"] == "U01405")].set_index("gender")
    assert rows.loc["K", "suppressed"] and rows.loc["M", "suppressed"]  # 140 answers, but the women are too few
    assert np.isnan(rows.loc["K", "value"]) and np.isnan(rows.loc["M", "value"]) and np.isnan(rows.loc["M", "ci_low"])
    assert not rows.loc["T", "suppressed"] and rows.loc["T", "value"] == 72.0
    assert not o["value"].isin([81.377, 63.717]).any()


def _xlsx(tmp_path, rows: list[list], name="uttag.xlsx"):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    path = tmp_path / name
    wb.save(path)
    return path


HOSTILE = {
    "empty file": ("", "filen är tom"),
    "only a header": (HEADER + "\n", "inga datarader"),
    "missing columns": ("indikator;omrade_kod;ar;kon;andel\nU01405;1780;2022;T;70", "kolumner saknas: aldersgrupp, antal_svar"),
    "mixed separators": (HEADER + "\nU01405;1780;2022;T;18-84;70,1;;;500\nU01405,1781,2022,T,18-84,70.1,,,500",
                         "rad 3: 1 fält men rubriken har 9"),
    "text in numeric column": (HEADER + "\nU01405;1780;2022;T;18-84;sjuttio;;;500", "kolumn 'andel': 'sjuttio' är inte ett tal"),
    "share over 100": (HEADER + "\nU01405;1780;2022;T;18-84;170;;;500", "ligger utanför 0–100"),
    "ci not around share": (HEADER + "\nU01405;1780;2022;T;18-84;70;72;75;500", "omsluter inte andelen 70"),
    "half a ci": (HEADER + "\nU01405;1780;2022;T;18-84;70;65;;500", "bara en av intervallgränserna"),
    "negative answers": (HEADER + "\nU01405;1780;2022;T;18-84;70;;;-12", "heltal ≥ 0"),
    "missing answers": (HEADER + "\nU01405;1780;2022;T;18-84;70;;;", "antal svar krävs"),
    "duplicate rows": (HEADER + "\nU01405;1780;2022;T;18-84;70;;;500\nU01405;1780;2022;Totalt;18–84;71;;;500",
                       "rad 3, kolumn 'indikator': dubblett av rad 2"),
    "unknown indicator": (HEADER + "\nLH_okand;1780;2022;T;18-84;70;;;500", "okänd indikator 'LH_okand'"),
    "unknown area": (HEADER + "\nU01405;1880;2022;T;18-84;70;;;500", "okänd områdeskod '1880'"),
    "unknown gender": (HEADER + "\nU01405;1780;2022;Båda;18-84;70;;;500", "okänt kön 'Båda'"),
    "bad year": (HEADER + "\nU01405;1780;20222;T;18-84;70;;;500", "ogiltigt år '20222'"),
    "bad age group": (HEADER + "\nU01405;1780;2022;T;unga;70;;;500", "okänd åldersgrupp 'unga'"),
    "formula cell": (HEADER + '\nU01405;1780;2022;T;18-84;=HYPERLINK("http://x";"70");;;500', "ser ut som en formel"),
    "formula in id": (HEADER + "\n@SUM(A1);1780;2022;T;18-84;70;;;500", "ser ut som en formel"),
    "formula after a minus": (HEADER + "\nU01405;1780;2022;T;-2+3+cmd|' /C calc'!A0;70;;;500", "ser ut som en formel"),
    "share missing": (HEADER + "\nU01405;1780;2022;T;18-84;;;;500", "andelen saknas"),
}


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_hostile_csv_gives_the_right_message_and_changes_nothing(tmp_path, config, cache_dir, case):
    text, expected = HOSTILE[case]
    before = load_cache(cache_dir).data_version
    with pytest.raises(ExtractError) as exc:
        import_extract(write(tmp_path, text), cache_dir, config)
    assert any(expected in p for p in exc.value.problems), exc.value.problems
    assert load_cache(cache_dir).data_version == before
    assert not cache_dir.with_name("cache.backup").exists()


def test_utf16_file_is_refused(tmp_path, config, cache_dir):
    path = write(tmp_path, HEADER + "\nU01405;1780;2022;T;18-84;70;;;500", encoding="utf-16")
    with pytest.raises(ExtractError, match="UTF-16"):
        import_extract(path, cache_dir, config)


def test_binary_junk_and_old_excel_are_refused(tmp_path, config, cache_dir):
    junk = tmp_path / "bild.csv"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(ExtractError, match="binärfil"):
        import_extract(junk, cache_dir, config)
    old = tmp_path / "gammal.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"x" * 100)
    with pytest.raises(ExtractError, match=r"\.xls stöds inte"):
        import_extract(old, cache_dir, config)
    broken = tmp_path / "trasig.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    with pytest.raises(ExtractError, match="Excel-filen kan inte läsas"):
        import_extract(broken, cache_dir, config)


def test_huge_file_is_refused_before_reading(tmp_path, config, cache_dir, monkeypatch):
    import nyap.ingest.livhalsa as lh

    monkeypatch.setattr(lh, "MAX_BYTES", 10_000)
    big = write(tmp_path, HEADER + "\n" + "U01405;1780;2022;T;18-84;70;;;500\n" * 2000)
    with pytest.raises(ExtractError, match="går inte att importera"):
        import_extract(big, cache_dir, config)


def test_xlsx_with_formula_and_leading_zero_lost(tmp_path, config, cache_dir):
    rows = [HEADER.split(";"), ["U01405", 17, 2022, "Totalt", "18-84", 71.2, 70.0, 72.4, 9000],
            ["U01405", 1780, 2022, "Kvinnor", "18-84", "=A1*2", None, None, 800]]
    with pytest.raises(ExtractError, match="rad 3, cell F3: cellen är en formel"):
        import_extract(_xlsx(tmp_path, rows), cache_dir, config)
    ok = _xlsx(tmp_path, rows[:2], "ok.xlsx")
    extract = read_extract(ok, known={"U01405"})
    assert extract.rows.iloc[0]["area_code"] == "0017"


def test_suppressed_group_smuggled_in_with_a_value_never_shows(tmp_path, config, cache_dir):
    # the analyst left a value on a group with 35 answers: it must not survive anywhere
    text = "\n".join([HEADER, "U01405;1760;2022;T;18-84;93,717;85,037;99,017;35", "U01405;1760;2022;K;18-84;91,377;;;20",
                      "U01405;1760;2022;M;18-84;96,137;;;15"])
    cache, report = import_extract(write(tmp_path, text), cache_dir, config)
    assert report.suppressed == 3
    for path in cache_dir.iterdir():
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
            for col in ("value", "ci_low", "ci_high"):
                if col in frame:
                    assert not frame[col].isin([93.717, 91.377, 96.137, 85.037, 99.017]).any()


def test_no_output_path_shows_a_suppressed_value(tmp_path, config, cache_dir, monkeypatch):
    """Import a file with values on small groups, then look everywhere a number can leave the app:
    the rendered pages (text, tables, chart data), the CSV downloads and the exported images."""
    from nyap.present.charts import goal_gap_chart, municipalities_chart, trend_chart
    from nyap.present.export import chart_svg, table_csv
    from nyap.present.views import all_focus_items, goal_view, source_line

    from .apptest_helpers import assert_clean, chart_datasets, charts, open_app, page_text

    secret = {93.717: ("93,72", "93.717"), 91.377: ("91,38", "91.377"), 96.137: ("96,14", "96.137"),
              85.037: ("85,04", "85.037"), 99.017: ("99,02", "99.017")}
    lines = [HEADER, "U01405;1760;2022;T;18-84;93,717;85,037;99,017;35", "U01405;1760;2022;K;18-84;91,377;;;20",
             "U01405;1760;2022;M;18-84;96,137;;;15", "U01405;1760;2017;T;18-84;70,5;;;600",
             "U01405;1760;2017;K;18-84;71,5;;;320", "U01405;1760;2017;M;18-84;69,5;;;280"]
    import_extract(write(tmp_path, "\n".join(lines)), cache_dir, config)
    monkeypatch.setenv("NYAP_CACHE_DIR", str(cache_dir))
    texts = []
    for page, gender in (("Vuxenlivet", "T"), ("Vuxenlivet", "KM"), ("Äldrelivet", "K")):
        at = open_app(page, {"kommun": "1760", "mal": "god_halsa", "kon": gender, "ar": "2022", "alder": "18-84"})
        assert_clean(at)
        texts.append(page_text(at))
        for chart in charts(at):
            for data in chart_datasets(chart):
                for col in ("value", "ci_low", "ci_high", "text_x", "latest", "baseline"):
                    if col in data:
                        assert not data[col].isin(list(secret)).any(), (page, col)
                texts.append(data.to_csv())
    cache = load_cache(cache_dir)
    item = next(i for i in all_focus_items(config) if i.key == "god_halsa")
    view = goal_view(cache, config, item, 2022, "18-84")
    names = config.region.names()
    for genders in (("T",), ("K", "M")):
        src = source_line(view, True)
        for result in (trend_chart(view, "1760", genders, names, src, True),
                       municipalities_chart(view, 2022, "1760", genders, names, src, True),
                       goal_gap_chart(view, "1760", genders, names, src, True)):
            if result is None:  # nothing comparable to draw
                continue
            texts.append(table_csv(result.table, "DEMO").decode("utf-8-sig"))
            texts.append(chart_svg(result.spec))
    everything = "\n".join(texts)
    for forms in secret.values():
        for form in forms:
            assert form not in everything, form
    assert ".." in everything  # the suppressed group is shown as ".."


def test_a_partial_extract_replaces_only_what_it_covers(tmp_path, config, cache_dir):
    import_extract(EXAMPLES / "livhalsa_exempel_DEMO.csv", cache_dir, config)
    before = load_cache(cache_dir).observations
    fix = "\n".join([HEADER, "U01405;1780;2022;T;18-84;55,5;;;3000"])
    cache, report = import_extract(write(tmp_path, fix, "rattelse_DEMO.csv"), cache_dir, config)
    o = cache.observations
    lh = o[(o["source"] == "livhalsa") & (o["indicator_id"] == "U01405") & (o["year"] == 2022)]
    assert set(lh.loc[lh["area_code"] == "1780", "value"]) == {55.5}
    others = before[(before["source"] == "livhalsa") & (before["indicator_id"] == "U01405") & (before["year"] == 2022)
                    & (before["area_code"] != "1780")]
    assert len(lh[lh["area_code"] != "1780"]) == len(others) > 0
    assert any("ersattes" in line for line in report.lines())
