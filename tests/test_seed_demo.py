"""seed_demo builds a realistic data set and leaves the real catalog alone."""

from django.contrib.auth.models import User
from django.core.management import call_command

from planner.models import Entry, EntryTag, Viewing
from sessions.models import TaggedTalk, Talk


def test_seed_demo_small(catalog):
    call_command("seed_demo", talks=300, users=4, entries_per_user=50, verbosity=0)
    assert Talk.objects.filter(conference__slug__startswith="demo-").count() == 300
    assert Talk.objects.filter(conference__slug="aws-reinvent-2022").count() == 13
    assert User.objects.filter(username__startswith="demo-").count() == 4
    assert Entry.objects.count() == 200
    assert TaggedTalk.objects.filter(content_object__conference__slug__startswith="demo-").exists()
    assert EntryTag.objects.exists()
    # Viewings and tags land on the right records (their ids are read back after the insert).
    watched = Entry.objects.filter(status="watched").count()
    assert watched and Viewing.objects.count() >= watched
    assert not Viewing.objects.exclude(entry__status="watched").exists()
    assert set(Viewing.objects.values_list("entry__user__username", flat=True)) <= {
        f"demo-{n:04d}" for n in range(4)
    }
    for user in User.objects.all():
        positions = list(Entry.objects.for_user(user).queued().values_list("position", flat=True))
        assert positions == sorted(set(positions))
    # A second run replaces the demo data rather than adding to it.
    call_command("seed_demo", talks=100, users=2, entries_per_user=10, verbosity=0)
    assert Talk.objects.count() == 113
    assert Entry.objects.count() == 20
    talk = Talk.objects.filter(conference__slug__startswith="demo-").first()
    assert talk.outline_html.startswith('<ul class="outline">') and talk.summary_html
