from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def register(request: HttpRequest) -> HttpResponse:  # replaced by the accounts work
    return render(request, "404.html", status=404)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "404.html", status=404)
