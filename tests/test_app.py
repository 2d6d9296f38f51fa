"""Installable as an app: the manifest, the service worker and the offline page."""

import json

import pytest
from django.templatetags.static import static


def test_the_manifest_names_the_app_its_icons_and_the_share_target(client, db):
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["display"] == "standalone" and data["start_url"] == "/"
    assert data["short_name"] == "Catch-up" and data["theme_color"] == "#0b5cad"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200
    params = {"title": "title", "text": "text", "url": "url"}
    assert data["share_target"] == {"action": "/add/", "method": "GET", "params": params,
                                    "enctype": "application/x-www-form-urlencoded"}  # fmt: skip


def test_every_page_links_the_manifest(client, db):
    assert '<link rel="manifest" href="/manifest.webmanifest">' in client.get("/").content.decode()


def test_the_service_worker_keeps_static_files_and_the_offline_page_only(client, db):
    response = client.get("/sw.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    assert f'"{static("css/app.css")}"' in script and '"/offline/"' in script
    assert 'request.mode === "navigate"' in script  # pages: network, else the offline page
    assert "/queue/" not in script and "/settings/" not in script


def test_the_offline_page_is_nobodys(alice_client):
    html = alice_client.get("/offline/").content.decode()
    assert "You're offline" in html and "nothing you saved is lost" in html
    assert "alice" not in html and "csrfmiddlewaretoken" not in html


def test_static_addresses_are_whitenoises_each_worked_out_once(tmp_path):
    """Production's storage (planner.serving.static) answers what whitenoise's would."""
    from whitenoise.storage import CompressedManifestStaticFilesStorage

    from planner.serving.static import Storage

    paths = {"css/app.css": "css/app.0123456789ab.css", "icons/a.png": "icons/a.fedcba987654.png"}
    manifest = {"version": "1.1", "paths": paths, "hash": "0123456789ab"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    ours, whitenoises = (
        kind(location=tmp_path, base_url="/static/")
        for kind in (Storage, CompressedManifestStaticFilesStorage)
    )
    for name in paths:
        assert ours.url(name) == ours.url(name) == whitenoises.url(name)
    assert ours.url("css/app.css") == "/static/css/app.0123456789ab.css"
    for _ in range(2):  # a name not in the manifest is refused every time, as before
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            ours.url("css/missing.css")
