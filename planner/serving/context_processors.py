from django.conf import settings
from django.http import HttpRequest


def here(request: HttpRequest) -> dict:
    """The address of the page the person is on, for "next" after a no-JS POST.

    For an htmx request it is the page that made the request, not the action URL.
    """
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.current_url_abs_path:
        return {"here": htmx.current_url_abs_path}
    return {"here": request.get_full_path()}


def images(request: HttpRequest) -> dict:
    """Whether to show pictures from video hosts (the site or the person may say no)."""
    if not settings.REMOTE_IMAGES:
        return {"remote_images": False}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"remote_images": True}
    profile = getattr(user, "profile", None)
    return {"remote_images": profile.remote_images if profile else True}


def undo(request: HttpRequest) -> dict:
    """The Undo of a one-click action, shown once on the page a no-JS POST went back to."""
    session = getattr(request, "session", None)
    if session is None or request.method != "GET" or "undo" not in session:
        return {}
    return {"undo": session.pop("undo")}
