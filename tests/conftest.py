import html
import ipaddress
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, models
from django.db.models import query
from django.test import override_settings

from planner.serving import kept
from sessions.models import Conference, Talk

ROOT = Path(__file__).resolve().parent.parent
WRITEUP = ROOT / "fixtures" / "reinvent-2022.md"
FIXTURE = ROOT / "fixtures" / "reinvent-2022.json"
PASSWORD = "a-long-and-unusual-passphrase-42"
EXPECTED_TITLES = [
    "Peter DeSantis - SVP AWS",
    "Adam Selipsky - CEO AWS",
    "Werner Vogels - CTO AWS",
    "Building next-gen applications with event-driven architectures",
    "Reliable scalability: How Amazon.com scales in the cloud",
    "SaaS microservices deep dive: Simplifying multi-tenant development",
    "How to understand and improve resiliency for serverless systems",
    "Operating highly available Multi-AZ applications",
    "Beyond five 9s: Lessons from our highest available data planes",
    "Scaling on AWS for your first 10 million users",
    "Architecting secure serverless applications",
    "Designing event-driven integrations using Amazon EventBridge",
    "Best practices for advanced serverless developers",
]


@pytest.fixture
def no_lazy_loads(monkeypatch):
    """Every queryset in the test raises on a lazy load (Django 6.1 FETCH_RAISE): a list
    page that forgot a select_related or touched a deferred field fails loudly instead of
    doing one query per row that a query count on a short list might not show."""
    monkeypatch.setattr(query, "DEFAULT_FETCH_MODE", models.FETCH_RAISE)


@pytest.fixture
def catalog(db) -> list[Talk]:
    """The re:Invent 2022 catalog, as `make run` loads it."""
    call_command("loaddata", FIXTURE, verbosity=0)
    return list(Talk.objects.order_by("position"))


@pytest.fixture
def make_talks(db):
    """n synthetic talks in one conference, for query-count tests."""

    def make(n: int, conference_slug: str = "testconf") -> list[Talk]:
        conference, _ = Conference.objects.get_or_create(
            slug=conference_slug, defaults={"name": "Test Conf 2024", "year": 2024}
        )
        start = conference.talks.count()
        talks = []
        for i in range(start, start + n):
            talk = Talk.objects.create(
                conference=conference,
                kind=Talk.Kind.BREAKOUT if i % 2 else Talk.Kind.KEYNOTE,
                title=f"Talk number {i}",
                slug=f"talk-number-{i}",
                speaker_name=f"Speaker {i}",
                video_provider="youtube",
                video_ref=f"vid{i:08d}",
                source_key=f"vid{i:08d}",
                verdict=f"Verdict {i}.",
                outline=[{"text": f"Point {i}", "children": [{"text": "Detail", "children": []}]}],
                position=i + 1,
            )
            talk.tags.add(f"topic-{i % 3}")
            talks.append(talk)
        return talks

    return make


def _user(username: str) -> User:
    return User.objects.create_user(username, f"{username}@example.com", PASSWORD)


@pytest.fixture
def alice(db) -> User:
    """Owns things."""
    return _user("alice")


@pytest.fixture
def bob(db) -> User:
    """Another signed-in user: must never see alice's things."""
    return _user("bob")


@pytest.fixture
def staff_client(client, db):
    staff = User.objects.create_user("root", "root@example.com", PASSWORD, is_staff=True)
    client.force_login(staff)
    return client


def page_text(response) -> str:
    """What a person reads on a page: its text, without tags, one space apart."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # The real hasher is slow on purpose; tests sign in many times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def page_token_triggers_at_each_statement(monkeypatch) -> None:
    """PostgreSQL runs the page-token triggers (planner.serving.kept) at commit, and a test's
    transaction never commits: here they run at each statement, as they would for the
    requests of a test each in its own transaction. Django's constraint check (loaddata,
    the end of a test) sets every constraint back to deferred, so it is set again after."""

    def immediate() -> None:
        if connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute(kept.immediate_sql())

    check_constraints = connection.check_constraints

    def check_then_immediate(*args, **kwargs):
        check_constraints(*args, **kwargs)
        immediate()

    monkeypatch.setattr(connection, "check_constraints", check_then_immediate)
    immediate()


@pytest.fixture(autouse=True)
def preview_folder(settings, tmp_path):
    """Previewed imports go to a folder of the test's own (planner.previews)."""
    settings.IMPORT_PREVIEW_DIR = tmp_path / "previews"


@pytest.fixture(autouse=True, scope="session")
def kept_pages_of_our_own(tmp_path_factory):
    """The kept pages' store in a folder of this test run: another run at the same time
    (one on each database) empties its own before every test."""
    caches_now = {**settings.CACHES}
    folder = tmp_path_factory.mktemp("kept")
    caches_now["kept"] = {**caches_now["kept"], "LOCATION": str(folder)}
    with override_settings(CACHES=caches_now):
        yield folder


@pytest.fixture(autouse=True)
def clean_caches(request):
    """Rate-limit counters live in the cache table, which test rollbacks don't reach;
    and a rollback can bring back a catalog version token another test cached under."""
    names = set(request.fixturenames)
    if names & {"db", "transactional_db", "live_server"}:
        request.getfixturevalue(
            "transactional_db" if names - {"db"} & {"transactional_db", "live_server"} else "db"
        )
        caches["default"].clear()
        if connection.vendor == "postgresql":
            page_token_triggers_at_each_statement(request.getfixturevalue("monkeypatch"))
    caches["catalog"].clear()
    caches["cards"].clear()
    caches["pages"].clear()
    caches["kept"].clear()


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback, and Django's SMTP backend pointed at it."""
    from tests import mailserver

    box, controller = mailserver.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": "127.0.0.1",
                "port": controller.port,
                "use_tls": False,
                "timeout": 5,
            },  # fmt: skip
        }
    }
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture
def exc24(db):
    """A congress's schedule (tests/samples/schedule.xml): its talks by title, no recordings."""
    from io import StringIO

    from django.core.management import call_command

    samples = Path(__file__).parent / "samples"
    call_command("import_catalog", str(samples / "schedule.xml"), stdout=StringIO())
    return {t.title: t for t in Talk.objects.filter(conference__slug="exc24")}


@pytest.fixture(autouse=True)
def no_internet(monkeypatch):
    """Tests never reach the internet: a sample that names a real address (a media.ccc.de
    event page, say) fails to fetch at once, as a machine offline would. Loopback works."""
    from sessions import fetch

    real = fetch._addresses

    def loopback_only(host: str, port: int) -> list[str]:
        try:
            loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if loopback:
            return real(host, port)
        raise fetch.FetchError(f"cannot find the server {host!r} (tests are offline)")

    monkeypatch.setattr(fetch, "_addresses", loopback_only)
