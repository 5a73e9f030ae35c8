from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kotapintar.regions.selectors import deployment_city_name


def platform(request: HttpRequest) -> dict[str, Any]:
    """Values every page needs: the deployment's city name for titles and headers."""
    return {"city_name": deployment_city_name()}
