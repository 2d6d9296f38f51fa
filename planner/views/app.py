"""The site as an installable app: its manifest (with the share target that opens Add a
talk), a small service worker and the page it shows offline.

The service worker keeps static files (their names change with their content) and the
offline page, nothing else: every page is fetched from the network and never stored, so
nobody's queue or notes sit in a cache.
"""

import hashlib
import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

THEME = "#0b5cad"  # --accent in static/css/app.css
BACKGROUND = "#fbfaf7"  # --bg


def precached() -> list[str]:
    """What the service worker keeps: the offline page and what it needs to look right."""
    return [
        reverse("offline"),
        static("css/app.css"),
        static("favicon.svg"),
        static("icons/icon-192.png"),
    ]


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    icon = [("icons/icon-192.png", "192x192", "any"), ("icons/icon-512.png", "512x512", "any"),
            ("icons/maskable-512.png", "512x512", "maskable")]  # fmt: skip
    data = {
        "id": "/",
        "name": "Catch-up: conference talks at your speed",
        "short_name": "Catch-up",
        "description": "Queue conference talks, watch them at your speed, plan your evenings.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": BACKGROUND,
        "theme_color": THEME,
        "icons": [
            {"src": static(s), "sizes": z, "type": "image/png", "purpose": p} for s, z, p in icon
        ],  # fmt: skip
        # Android's share sheet: a link shared to the app opens Add a talk with it.
        "share_target": {
            "action": reverse("add_talk"),
            "method": "GET",
            "enctype": "application/x-www-form-urlencoded",
            "params": {"title": "title", "text": "text", "url": "url"},
        },
    }
    response = HttpResponse(json.dumps(data, indent=2), content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    files = precached()
    context = {
        "cache": "catch-up-" + hashlib.sha256("\n".join(files).encode()).hexdigest()[:12],
        "offline": reverse("offline"),
        "files": json.dumps(files),
    }
    response = render(request, "sw.js", context, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"  # browsers check for a new worker on each visit
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """Drawn for no one in particular: the service worker keeps it."""
    return render(request, "offline.html", {"theme": THEME})
