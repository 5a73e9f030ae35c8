from __future__ import annotations

import json
import math

import pytest

from kotapintar.regions.geo import (
    BBox,
    InvalidCoordinatesError,
    InvalidGeometryError,
    Shape,
    bbox_of,
    geometry_to_json,
    parse_geometry,
    validate_coordinates,
)

SQUARE_WITH_HOLE = {
    "type": "Polygon",
    "coordinates": [
        [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
        [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]],
    ],
}


def test_polygon_with_hole_excludes_the_hole() -> None:
    polygons = parse_geometry(SQUARE_WITH_HOLE)
    shape = Shape(bbox=bbox_of(polygons), polygons=tuple(polygons))
    assert shape.contains(1, 1)
    assert shape.contains(9.5, 2)
    assert not shape.contains(5, 5)  # in the hole
    assert not shape.contains(11, 5)
    assert not shape.contains(-0.1, 5)


def test_multipolygon_contains_points_of_every_part() -> None:
    polygons = parse_geometry(
        {
            "type": "MultiPolygon",
            "coordinates": [
                [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
                [[[5, 5], [6, 5], [6, 6], [5, 6], [5, 5]]],
            ],
        }
    )
    shape = Shape(bbox=bbox_of(polygons), polygons=tuple(polygons))
    assert shape.contains(0.5, 0.5)
    assert shape.contains(5.5, 5.5)
    assert not shape.contains(3, 3)  # inside the box, between the parts
    assert bbox_of(polygons) == BBox(0, 6, 0, 6)


def test_concave_polygon_is_handled() -> None:
    # A "U": the notch between the arms is outside.
    u_shape = [[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]
    polygons = parse_geometry({"type": "Polygon", "coordinates": [u_shape]})
    shape = Shape(bbox=bbox_of(polygons), polygons=tuple(polygons))
    assert shape.contains(lat=2, lon=0.5)
    assert shape.contains(lat=2, lon=2.5)
    assert not shape.contains(lat=2, lon=1.5)


def test_geojson_round_trip_keeps_the_shape() -> None:
    polygons = parse_geometry(SQUARE_WITH_HOLE)
    stored = json.loads(geometry_to_json(polygons))
    assert stored["type"] == "MultiPolygon"
    assert stored["coordinates"][0] == SQUARE_WITH_HOLE["coordinates"]
    assert parse_geometry(stored) == polygons


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Point", "coordinates": [1, 1]},
        {"type": "Polygon", "coordinates": []},
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]},
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, "x"], [0, 0]]]},
        {"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [1, 1], [0, 0]]]},
        {"type": "MultiPolygon", "coordinates": []},
        None,
    ],
)
def test_unusable_geometry_is_rejected(geometry: object) -> None:
    with pytest.raises(InvalidGeometryError):
        parse_geometry(geometry)


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (90.0001, 0),
        (-91, 0),
        (0, 180.5),
        (0, -181),
        (math.nan, 0),
        (0, math.inf),
        (-math.inf, 0),
        ("abc", 0),
        (True, 0),
        (None, 0),
    ],
)
def test_invalid_coordinates_are_rejected(lat: object, lon: object) -> None:
    with pytest.raises(InvalidCoordinatesError):
        validate_coordinates(lat, lon)


def test_coordinate_limits_are_accepted() -> None:
    assert validate_coordinates(-90, 180) == (-90.0, 180.0)
    assert validate_coordinates(90, -180) == (90.0, -180.0)
