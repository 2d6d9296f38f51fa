from django.http import HttpRequest


def here(request: HttpRequest) -> dict:
    """The address of the page the person is on, for "next" after a no-JS POST.

    For an htmx request it is the page that made the request, not the action URL.
    """
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.current_url_abs_path:
        return {"here": htmx.current_url_abs_path}
    return {"here": request.get_full_path()}


def undo(request: HttpRequest) -> dict:
    """The Undo of a one-click action, shown once on the page a no-JS POST went back to."""
    session = getattr(request, "session", None)
    if session is None or request.method != "GET" or "undo" not in session:
        return {}
    return {"undo": session.pop("undo")}
