"""The benchmark's baseline: the least a Django project can do for a request.

Settings, URLs and the WSGI application in one module, with no middleware, no
templates and no database: `gunicorn benchmarks.bare:application`. Every page of
the planner is reported as a fraction of this view's throughput, measured on the
same machine in the same run, so the figures say what our code costs on top of
Django itself (the app's own /healthz already pays for the whole middleware stack).
"""

import os

from django.http import HttpRequest, HttpResponse
from django.urls import path

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "bare-benchmark-view-only")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = __name__
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}
USE_TZ = True


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("", hello)]

os.environ["DJANGO_SETTINGS_MODULE"] = __name__

from django.core.wsgi import get_wsgi_application  # noqa: E402 - needs the settings above

application = get_wsgi_application()
