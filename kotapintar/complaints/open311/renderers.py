"""Open311 GeoReport v2 documents in XML and JSON, in the spec's exact shapes.

A document is plain data (dicts, lists, strings, numbers, booleans) and is written in the
format the URL's suffix names. JSON follows the spec's "Spark convention": the XML's list
wrappers become arrays, so ``<service_requests><request>…`` is ``[{…}]``.

* XML starts with ``<?xml version="1.0" encoding="utf-8"?>``, has no namespace, and every
  text is escaped by ElementTree; characters that XML 1.0 cannot carry (control characters
  from old data) are dropped so that the document stays well-formed.
* JSON escapes ``<``, ``>`` and ``&`` as ``\\u003c`` etc.: the same strings once parsed, but
  never markup should a browser sniff the body.
* ``None`` values are left out; an empty string is written as an empty element / ``""``.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from django.http import HttpResponse

XML_CONTENT_TYPE = "text/xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
FORMATS = ("xml", "json")

#: The element name of one item of each list field (``<attributes><attribute>…``).
LIST_ITEMS: dict[str, str] = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}

_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_JSON_MARKUP = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def render_list(
    items: Sequence[Mapping[str, Any]], *, root: str, fmt: str, status: int = 200
) -> HttpResponse:
    """A list document: ``<root><item>…</item></root>`` or a JSON array."""
    if fmt == "json":
        return _json_response(list(items), status=status)
    element = ET.Element(root)
    _append_items(element, LIST_ITEMS[root], items)
    return _xml_response(element, status=status)


def render_object(data: Mapping[str, Any], *, root: str, fmt: str) -> HttpResponse:
    """A single-object document (``service_definition``, ``discovery``)."""
    if fmt == "json":
        return _json_response(dict(data), status=200)
    element = ET.Element(root)
    _fill(element, data)
    return _xml_response(element, status=200)


def render_errors(errors: Sequence[tuple[int, str]], *, fmt: str, status: int) -> HttpResponse:
    """The spec's error list: ``<errors><error><code/><description/></error></errors>``."""
    items = [{"code": code, "description": description} for code, description in errors]
    return render_list(items, root="errors", fmt=fmt, status=status)


def xml_text(value: Any) -> str:
    """How a scalar is written in XML (booleans as ``true``/``false``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML_CHAR.sub("", str(value))


def _append_items(parent: ET.Element, tag: str, items: Sequence[Any]) -> None:
    for item in items:
        child = ET.SubElement(parent, tag)
        if isinstance(item, Mapping):
            _fill(child, item)
        else:
            child.text = xml_text(item)


def _fill(element: ET.Element, data: Mapping[str, Any]) -> None:
    for key, value in data.items():
        if value is None:
            continue
        child = ET.SubElement(element, key)
        if isinstance(value, list | tuple):
            _append_items(child, LIST_ITEMS[key], value)
        elif isinstance(value, Mapping):
            _fill(child, value)
        else:
            child.text = xml_text(value)


def _without_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_without_none(v) for v in value]
    return value


def _xml_response(element: ET.Element, *, status: int) -> HttpResponse:
    body = XML_DECLARATION + ET.tostring(element, encoding="unicode")
    return HttpResponse(body.encode("utf-8"), content_type=XML_CONTENT_TYPE, status=status)


def _json_response(data: Any, *, status: int) -> HttpResponse:
    body = json.dumps(_without_none(data), ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(
        body.translate(_JSON_MARKUP).encode("utf-8"), content_type=JSON_CONTENT_TYPE, status=status
    )
