from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from sessions.models import Conference, Talk

ROOT = Path(__file__).resolve().parent.parent
WRITEUP = ROOT / "fixtures" / "reinvent-2022.md"
FIXTURE = ROOT / "fixtures" / "reinvent-2022.json"
PASSWORD = "a-long-and-unusual-passphrase-42"


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
                video_id=f"vid{i:08d}",
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
def alice_client(client, alice):
    client.force_login(alice)
    return client
