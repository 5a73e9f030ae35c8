"""Pure-Python geometry for "is this point in the city?" (no GEOS/GDAL needed).

GeoJSON order is (longitude, latitude). A shape is a list of polygons, each a list of rings:
the first ring is the outline, the others are holes. Containment uses ray casting with a
bounding-box prefilter; a point exactly on an edge may fall either way, which is fine for
city and kelurahan boundaries that are only accurate to a few metres anyway.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

Ring = list[tuple[float, float]]
Polygon = list[Ring]


class InvalidCoordinatesError(ValueError):
    """Latitude/longitude out of range or not a finite number."""


class InvalidGeometryError(ValueError):
    """A GeoJSON geometry that is not a usable Polygon or MultiPolygon."""


def validate_coordinates(lat: float, lon: float) -> tuple[float, float]:
    """Return ``(lat, lon)`` as floats, or raise ``InvalidCoordinatesError``."""
    if isinstance(lat, bool) or isinstance(lon, bool):
        raise InvalidCoordinatesError(_("Latitude and longitude must be numbers."))
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError, OverflowError):
        raise InvalidCoordinatesError(_("Latitude and longitude must be numbers.")) from None
    if not (math.isfinite(lat_f) and math.isfinite(lon_f)):
        raise InvalidCoordinatesError(_("Latitude and longitude must be finite numbers."))
    if not -90 <= lat_f <= 90:
        raise InvalidCoordinatesError(_("Latitude must be between -90 and 90."))
    if not -180 <= lon_f <= 180:
        raise InvalidCoordinatesError(_("Longitude must be between -180 and 180."))
    return lat_f, lon_f


@dataclass(frozen=True)
class BBox:
    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.min_lat <= lat <= self.max_lat and self.min_lon <= lon <= self.max_lon


@dataclass(frozen=True)
class Shape:
    """A bounding box, optionally refined by polygons (``polygons`` empty = box only)."""

    bbox: BBox
    polygons: tuple[Polygon, ...] = ()

    def contains(self, lat: float, lon: float) -> bool:
        if not self.bbox.contains(lat, lon):
            return False
        if not self.polygons:
            return True
        return any(_polygon_contains(polygon, lon, lat) for polygon in self.polygons)


def _ring_contains(ring: Ring, x: float, y: float) -> bool:
    # Classic even-odd ray casting towards +x.
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _polygon_contains(polygon: Polygon, x: float, y: float) -> bool:
    outline, *holes = polygon
    if not _ring_contains(outline, x, y):
        return False
    return not any(_ring_contains(hole, x, y) for hole in holes)


def parse_geometry(data: Any) -> list[Polygon]:
    """Validate a GeoJSON Polygon/MultiPolygon (or a Feature holding one) into polygons."""
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict):
        raise InvalidGeometryError("geometry must be a GeoJSON object")
    kind, coordinates = data.get("type"), data.get("coordinates")
    if kind == "Polygon":
        raw_polygons = [coordinates]
    elif kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise InvalidGeometryError("MultiPolygon needs at least one polygon")
        raw_polygons = coordinates
    else:
        raise InvalidGeometryError(f"unsupported geometry type {kind!r}")
    return [_parse_polygon(raw) for raw in raw_polygons]


def _parse_polygon(raw: Any) -> Polygon:
    if not isinstance(raw, list) or not raw:
        raise InvalidGeometryError("a polygon needs at least one ring")
    return [_parse_ring(ring) for ring in raw]


def _parse_ring(raw: Any) -> Ring:
    if not isinstance(raw, list):
        raise InvalidGeometryError("a ring must be a list of positions")
    ring: Ring = []
    for position in raw:
        if not isinstance(position, list | tuple) or len(position) < 2:
            raise InvalidGeometryError("a position must be [longitude, latitude]")
        try:
            lat, lon = validate_coordinates(position[1], position[0])
        except InvalidCoordinatesError as exc:
            raise InvalidGeometryError(f"invalid position {position!r}: {exc}") from None
        ring.append((lon, lat))
    if len(ring) >= 2 and ring[0] == ring[-1]:
        ring.pop()  # GeoJSON repeats the first position; ray casting does not need it.
    if len(ring) < 3:
        raise InvalidGeometryError("a ring needs at least three distinct positions")
    return ring


def bbox_of(polygons: list[Polygon]) -> BBox:
    # Holes lie inside their outline, so the outlines alone give the box.
    lons = [lon for polygon in polygons for lon, _lat in polygon[0]]
    lats = [lat for polygon in polygons for _lon, lat in polygon[0]]
    return BBox(min(lats), max(lats), min(lons), max(lons))


def geometry_to_json(polygons: list[Polygon]) -> str:
    """Serialise polygons as a compact GeoJSON MultiPolygon with closed rings."""
    coordinates = [
        [[[lon, lat] for lon, lat in [*ring, ring[0]]] for ring in polygon] for polygon in polygons
    ]
    return json.dumps({"type": "MultiPolygon", "coordinates": coordinates}, separators=(",", ":"))


def shape_from_stored(
    *, min_lat: float, max_lat: float, min_lon: float, max_lon: float, geometry: str
) -> Shape:
    bbox = BBox(min_lat, max_lat, min_lon, max_lon)
    if not geometry:
        return Shape(bbox=bbox)
    return Shape(bbox=bbox, polygons=tuple(parse_geometry(json.loads(geometry))))
