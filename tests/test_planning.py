"""The plan as a pure function: queue items, a weekly budget, a speed and a start in,
dated sessions out. Edges by example, then the rules as properties (hypothesis)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.lengths import at_speed
from planner.planning import MAX_DAYS, Budget, Item, NoTime, make_plan

EVENINGS = Budget((45, 45, 45, 45, 45, 120, 0), datetime.time(20, 0), "Europe/Berlin")
MONDAY = datetime.date(2026, 11, 30)


def item(key: int, minutes: float, start: int = 0, estimated: bool = False) -> Item:
    return Item(key, f"Talk {key}", start, int(minutes * 60), estimated)


def layout(plan) -> list[tuple[str, list[tuple[int, int, int]]]]:
    return [
        (f"{s.day:%a} {s.start:%H:%M}", [(p.item.key, p.start, p.end) for p in s.parts])
        for s in plan.sessions
    ]


def test_an_empty_queue_is_an_empty_plan():
    plan = make_plan([], EVENINGS, 150, MONDAY)
    assert plan.sessions == [] and plan.finish is None and not plan.cut_short


def test_no_minutes_at_all_is_a_clear_message_not_an_endless_loop():
    with pytest.raises(NoTime, match="Give at least one day some minutes"):
        make_plan([item(1, 30)], Budget((0,) * 7, datetime.time(20), "UTC"), 150, MONDAY)


def test_talks_fill_evenings_in_queue_order_and_start_the_next_rather_than_split():
    # 45 minutes at 1.5x hold 67:30 of video.
    plan = make_plan([item(1, 60), item(2, 30), item(3, 150)], EVENINGS, 150, MONDAY)
    assert layout(plan) == [
        ("Mon 20:00", [(1, 0, 3600)]),  # talk 2 does not fit the 7:30 left: not begun
        ("Tue 20:00", [(2, 0, 1800)]),  # nor talk 3 in the 37:30 left here
        ("Wed 20:00", [(3, 0, 4050)]),  # longer than an evening: as few parts as can be
        ("Thu 20:00", [(3, 4050, 8100)]),
        ("Fri 20:00", [(3, 8100, 9000)]),
    ]
    assert plan.finish == datetime.date(2026, 12, 4)
    assert [s.seconds for s in plan.sessions] == [2400, 1200, 2700, 2700, 600]


def test_a_talk_longer_than_an_evening_starts_one_and_has_as_few_parts_as_possible():
    """The issue's case: a 40-minute talk became 1:17 + 30:00 + 9:21 over three evenings."""
    budget = Budget((30,) * 7, datetime.time(20, 0), "UTC")
    plan = make_plan([item(1, 28 + 43 / 60), item(2, 40)], budget, 100, MONDAY)
    assert layout(plan) == [
        ("Mon 20:00", [(1, 0, 1723)]),
        ("Tue 20:00", [(2, 0, 1800)]),
        ("Wed 20:00", [(2, 1800, 2400)]),
    ]


def test_no_part_is_shorter_than_ten_minutes_the_evening_before_ends_early():
    budget = Budget((30,) * 7, datetime.time(20, 0), "UTC")
    plan = make_plan([item(1, 65)], budget, 100, MONDAY)  # 30 + 30 + 5 would leave 5 minutes
    assert layout(plan) == [
        ("Mon 20:00", [(1, 0, 1800)]),
        ("Tue 20:00", [(1, 1800, 3300)]),
        ("Wed 20:00", [(1, 3300, 3900)]),
    ]


def test_a_talk_is_not_begun_in_an_evenings_last_ten_minutes():
    budget = Budget((30,) * 7, datetime.time(20, 0), "UTC")
    plan = make_plan([item(1, 22), item(2, 90)], budget, 100, MONDAY)  # 8 minutes left
    assert layout(plan)[0] == ("Mon 20:00", [(1, 0, 1320)])
    assert plan.sessions[1].parts[0].start == 0


def test_very_short_evenings_still_plan_everything():
    """Evenings under twenty minutes: parts of half an evening at least, never an endless wait."""
    budget = Budget((12,) * 7, datetime.time(20, 0), "UTC")
    plan = make_plan([item(1, 30)], budget, 100, MONDAY)
    assert not plan.cut_short
    assert [p.seconds for s in plan.sessions for p in s.parts] == [720, 720, 360]


def test_a_resume_point_is_where_the_plan_starts_the_talk():
    plan = make_plan([item(1, 60, start=40 * 60)], EVENINGS, 100, MONDAY)
    assert layout(plan) == [("Mon 20:00", [(1, 2400, 3600)])]


def test_a_talk_longer_than_a_week_spans_days_and_skips_days_off():
    plan = make_plan([item(1, 10 * 60)], EVENINGS, 100, datetime.date(2026, 12, 5))  # a Saturday
    days = [s.day.strftime("%a") for s in plan.sessions]
    # 600 minutes: 120 on Saturdays, 45 on weekdays, none on Sundays.
    assert days == ["Sat", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Mon", "Tue", "Wed"]
    assert sum(s.video_seconds for s in plan.sessions) == 10 * 3600
    assert all(s.seconds <= EVENINGS.seconds_on(s.day) for s in plan.sessions)


def test_two_x_speed_halves_the_time():
    plan = make_plan([item(1, 90)], EVENINGS, 200, MONDAY)
    assert layout(plan) == [("Mon 20:00", [(1, 0, 5400)])]
    assert plan.sessions[0].seconds == 45 * 60


def test_unknown_lengths_say_they_are_estimates():
    plan = make_plan([item(1, 20), item(2, 20, estimated=True)], EVENINGS, 100, MONDAY)
    assert plan.sessions[0].estimated


def test_a_start_late_in_the_day_begins_now_with_what_is_left_before_midnight():
    zone = ZoneInfo("Europe/Berlin")
    now = datetime.datetime(2026, 11, 30, 23, 20, tzinfo=zone)
    plan = make_plan([item(1, 200)], EVENINGS, 100, MONDAY, now)  # longer than any evening
    first = plan.sessions[0]
    assert (first.day, f"{first.start:%H:%M}") == (MONDAY, "23:21")
    assert first.seconds == 39 * 60  # 40 minutes to midnight, less the minute to begin
    assert first.end == datetime.datetime(2026, 12, 1, tzinfo=zone)
    assert plan.sessions[1].start == datetime.datetime(2026, 12, 1, 20, 0, tzinfo=zone)


def test_a_start_date_in_the_past_plans_from_today():
    now = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=datetime.UTC)
    plan = make_plan([item(1, 30)], EVENINGS, 100, MONDAY, now)
    assert plan.sessions[0].day == datetime.date(2026, 12, 2)


@pytest.mark.parametrize(
    ("zone", "day", "offsets"),
    [
        # Europe/Berlin moves to summer time on Sunday 29 March 2026, back on 25 October.
        ("Europe/Berlin", datetime.date(2026, 3, 28), ["+0100", "+0200", "+0200"]),
        ("Europe/Berlin", datetime.date(2026, 10, 24), ["+0200", "+0100", "+0100"]),
        # America/New_York: 8 March and 1 November 2026.
        ("America/New_York", datetime.date(2026, 3, 7), ["-0500", "-0400", "-0400"]),
        ("America/New_York", datetime.date(2026, 10, 31), ["-0400", "-0500", "-0500"]),
    ],
)
def test_daylight_saving_changes_keep_the_evening_at_its_local_time(zone, day, offsets):
    budget = Budget((60,) * 7, datetime.time(20, 0), zone)
    plan = make_plan([item(1, 180)], budget, 100, day)
    assert [f"{s.start:%H:%M%z}" for s in plan.sessions] == [f"20:00{o}" for o in offsets]
    assert all((s.end - s.start) == datetime.timedelta(hours=1) for s in plan.sessions)


def test_a_session_over_the_hour_that_disappears_still_lasts_its_minutes():
    # 01:30 on the night Berlin skips 02:00-03:00: 90 minutes of watching end at 04:00.
    budget = Budget((90,) * 7, datetime.time(1, 30), "Europe/Berlin")
    session = make_plan([item(1, 90)], budget, 100, datetime.date(2026, 3, 29)).sessions[0]
    assert f"{session.start:%H:%M%z}" == "01:30+0100"
    assert f"{session.end:%H:%M%z}" == "04:00+0200"


def test_a_second_left_at_double_speed_still_takes_a_second():
    """Found by the property test: half a second rounded to a session of no time."""
    plan = make_plan([Item(0, "t0", 0, 1, False)], Budget((1,) * 7, datetime.time(20), "UTC"),
                     200, MONDAY)  # fmt: skip
    assert [s.seconds for s in plan.sessions] == [1]


def test_a_queue_beyond_three_years_stops_and_says_so():
    tiny = Budget((1, 0, 0, 0, 0, 0, 0), datetime.time(20), "UTC")
    plan = make_plan([item(1, 10_000)], tiny, 100, MONDAY)
    assert plan.cut_short and len(plan.sessions) <= MAX_DAYS // 7 + 1


items_strategy = st.lists(
    st.tuples(st.integers(1, 6 * 3600), st.integers(0, 100), st.booleans()), max_size=12
)
budget_strategy = st.lists(st.integers(0, 240), min_size=7, max_size=7).filter(any)


@settings(max_examples=200, deadline=None)
@given(
    raw=items_strategy,
    minutes=budget_strategy,
    speed=st.sampled_from([100, 125, 150, 175, 200]),
    start=st.dates(datetime.date(2026, 1, 1), datetime.date(2027, 12, 31)),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]),
)
def test_properties(raw, minutes, speed, start, zone):
    items = [
        Item(n, f"t{n}", length * percent // 100, length, estimated)
        for n, (length, percent, estimated) in enumerate(raw)
    ]
    budget = Budget(tuple(minutes), datetime.time(19, 30), zone)
    plan = make_plan(items, budget, speed, start)
    parts = [p for s in plan.sessions for p in s.parts]
    # Sessions never run past the day's minutes.
    assert all(0 < s.seconds <= budget.seconds_on(s.day) for s in plan.sessions)
    # Days follow one another; a day with no minutes has no session.
    days = [s.day for s in plan.sessions]
    assert days == sorted(set(days)) and all(minutes[d.weekday()] for d in days)
    if not plan.cut_short:
        # Everything left in the queue is planned, once, and takes the queue's time at speed.
        assert sum(p.seconds for p in parts) == sum(i.left for i in items)
        assert abs(plan.seconds - sum(at_speed(i.left, speed) for i in items)) <= len(parts)
    # Queue order: parts go through the items in order, each continuing where it stopped.
    expected = [(i.key, i.start) for i in items if i.left]
    position = {}
    order = []
    for p in parts:
        if p.item.key not in position:
            order.append(p.item.key)
            assert p.start == p.item.start
        else:
            assert p.start == position[p.item.key]
        position[p.item.key] = p.end
    assert order == [k for k, _ in expected][: len(order)]
    # Talks are kept whole where an evening can hold them (module docstring).
    evening = max(minutes) * 60 * speed // 100
    least = min(600 * speed // 100, evening // 2)
    for i in items:
        mine = [p for p in parts if p.item.key == i.key]
        if len(mine) > 1 or (mine and mine[0].end < i.length):  # split
            first = next(s for s in plan.sessions if mine[0] in s.parts)
            assert first.parts[0] == mine[0], "a split talk begins an evening"
            room = budget.seconds_on(first.day) * speed // 100
            assert i.left > room, "a talk its evening can hold is never split"
            finished = mine[-1].end == i.length
            assert all(p.seconds >= least for p in (mine if finished else mine[:-1]))
    for s in plan.sessions:
        for p in s.parts[:-1]:
            assert p.end == p.item.length, "only an evening's last talk goes on the next day"
    if len(set(minutes) - {0}) == 1 and not plan.cut_short:
        # Every evening alike: a long talk takes as many evenings as it must, no more.
        for i in items:
            if i.left > evening:
                count = sum(1 for p in parts if p.item.key == i.key)
                assert count == -(-i.left // evening)
