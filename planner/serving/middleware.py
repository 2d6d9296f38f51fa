from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

from sessions import listing


class OneRequest:
    """Marks where a request begins and ends for what may be read once per request and
    must not outlive it (the catalog's version read with the person: sessions.listing).
    Only a GET or HEAD: a POST may change the catalog and then draw its answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with listing.request_scope():
            return self.get_response(request)


class PrivateResponsesMiddleware:
    """Pages for a signed-in person are theirs alone: no shared copies, and no stored
    ones except pages kept by planner.serving.kept, which the browser must check before use.

    Responses that htmx may ask for as a fragment vary on HX-Request, so no
    cache ever serves a fragment for a page or the other way round.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method in ("GET", "HEAD") and "text/html" in response.get("Content-Type", ""):
            patch_vary_headers(response, ["HX-Request"])
        if response.status_code >= 500:
            # Not a page anyone should keep; and reading request.user now would ask the
            # database that probably just failed, and log the same 500 a second time.
            patch_cache_control(response, private=True, no_store=True)
            return response
        user = getattr(request, "user", None)
        personal = (user is not None and user.is_authenticated) or request.path.startswith("/s/")
        if getattr(response, "kept", False):
            # A kept page has an ETag (planner.serving.kept): the browser may keep it and ask
            # again with If-None-Match, for a 304 of a few hundred bytes. Private even when
            # signed out: a shared cache would hand every visitor the same CSP nonce.
            patch_cache_control(response, no_cache=True, private=True)
        elif personal:
            patch_cache_control(response, private=True, no_store=True)
        return response
