"""A small fixed-window rate limit kept in the shared cache (the database)."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from planner import clientaddr


def client_address(request: HttpRequest) -> str | None:
    """The client behind TRUSTED_PROXIES (planner.clientaddr); also django-axes' callable."""
    return clientaddr.client_address(request.META, settings.TRUSTED_PROXIES)


def allow(request: HttpRequest, action: str, per_hour: int) -> bool:
    """Count one attempt of action from this client; False once over the limit."""
    return allow_key(f"rate:{action}:{client_address(request) or 'unknown'}", per_hour, 3600)


def allow_key(key: str, limit: int, seconds: int) -> bool:
    """Count one attempt under key; False once over limit within the window."""
    if cache.add(key, 1, timeout=seconds):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds)
        return True
    return count <= limit
