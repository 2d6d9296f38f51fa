"""The length rule is one function: a queue's totals and each talk's length always agree."""

from planner import lengths, queue
from planner.models import Entry
from sessions.models import Talk


def test_a_kind_without_an_estimate_gets_the_default_not_an_error():
    assert lengths.length_of(Talk(kind="panel"), None) == (lengths.DEFAULT_ESTIMATE, True)


def test_totals_agree_with_length_of(alice, make_talks):
    talks = make_talks(4)
    talks[1].duration_seconds = 1234
    talks[1].save()
    for talk in talks:
        queue.track(alice, talk)
    entry = Entry.objects.get(user=alice, talk=talks[2])
    entry.personal_seconds = 999
    entry.save()
    records = list(Entry.objects.for_user(alice).queued().select_related("talk"))
    expected = sum(lengths.length_of(e.talk, e)[0] for e in records)
    estimated = sum(lengths.length_of(e.talk, e)[1] for e in records)
    totals = Entry.objects.for_user(alice).queued().totals(150)
    assert (totals["seconds"], totals["estimated"]) == (expected, estimated)
    assert totals["at_speed"] == lengths.at_speed(expected, 150)
