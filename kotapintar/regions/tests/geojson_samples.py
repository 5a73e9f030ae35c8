"""A small synthetic city for boundary tests (coordinates made up, far from Medan)."""

from __future__ import annotations

from typing import Any


def _square(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> list[list[float]]:
    return [
        [min_lon, min_lat],
        [max_lon, min_lat],
        [max_lon, max_lat],
        [min_lon, max_lat],
        [min_lon, min_lat],
    ]


# City: lat 10..12, lon 20..22, with a hole (an enclave of another regency) in the middle.
CITY = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"kode": "12.71", "nama": "Kota Uji"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    _square(20, 10, 22, 12),
                    _square(20.8, 10.8, 21.2, 11.2),
                ],
            },
        }
    ],
}
INSIDE = (10.5, 20.9)  # lat, lon: in the city, no kelurahan polygon here
IN_HOLE = (11.0, 21.0)
OUTSIDE = (12.5, 21.0)

# Two kelurahan: Pasar Baru (Medan Kota) on the west edge; Lalang (Medan Sunggal) on the east
# edge, split in two parts and coded without dots; plus a feature for an unknown code.
VILLAGES: dict[str, Any] = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"kode_kel": "12.71.01.1001"},
            "geometry": {"type": "Polygon", "coordinates": [_square(20, 10, 20.5, 12)]},
        },
        {
            "type": "Feature",
            "properties": {"kode_kel": "1271021001"},
            "geometry": {"type": "Polygon", "coordinates": [_square(21.5, 10, 22, 10.9)]},
        },
        {
            "type": "Feature",
            "properties": {"kode_kel": 1271021001},
            "geometry": {"type": "Polygon", "coordinates": [_square(21.5, 11.1, 22, 12)]},
        },
        {
            "type": "Feature",
            "properties": {"kode_kel": "12.71.99.9999"},
            "geometry": {"type": "Polygon", "coordinates": [_square(0, 0, 1, 1)]},
        },
    ],
}
IN_PASAR_BARU = (11.5, 20.2)
IN_LALANG_SOUTH = (10.2, 21.8)
IN_LALANG_NORTH = (11.8, 21.8)
BETWEEN_LALANG_PARTS = (11.0, 21.8)
