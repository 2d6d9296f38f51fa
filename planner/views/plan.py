"""The viewing plan: the queue against the time a person has, and its calendar feed."""

import datetime
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from planner import calendar_feed, planning, tokens
from planner.forms import PlanForm, time_zones
from planner.lengths import length_of
from planner.models import Entry, Profile, ViewingPlan
from planner.views.common import fragment, profile_of, speed_of

FEED_NAME = "Catch-up: my viewing plan"


def plan_of(user) -> ViewingPlan:
    return ViewingPlan.objects.get_or_create(user=user)[0]


def zone_of(plan: ViewingPlan) -> str:
    return plan.time_zone or "UTC"


def work_out(plan: ViewingPlan, speed: int) -> tuple[planning.Plan | None, dict[int, Entry], str]:
    """The person's queue as dated sessions (one query for the queue), the records by
    id for links, and a message when there is no plan to make."""
    entries = list(Entry.objects.for_user(plan.user_id).queued().with_talks())
    by_id = {e.pk: e for e in entries}
    items = []
    for entry in entries:
        seconds, estimated = length_of(entry.talk, entry)
        watching = entry.status == Entry.Status.WATCHING
        start = (entry.resume_seconds or 0) if watching else 0
        items.append(planning.Item(entry.pk, entry.talk.title, start, seconds, estimated))
    zone = ZoneInfo(zone_of(plan))
    now = timezone.now().astimezone(zone)
    budget = planning.Budget(plan.minutes, plan.start_time, zone_of(plan))
    try:
        result = planning.make_plan(items, budget, speed, plan.start_date or now.date(), now)
    except planning.NoTime as exc:
        return None, by_id, str(exc)
    return result, by_id, ""


def link_for(by_id: dict[int, Entry], here: bool = False):
    """Each part's video at its first second: on the page, our player where it plays
    here (`here`); in a calendar, the host's page."""

    def link(part: planning.Part) -> str:
        talk = by_id[part.item.key].talk
        return talk.play_at(part.start) if here else talk.link_at(part.start)

    return link


@require_http_methods(["GET", "POST"])
@login_required
def plan_page(request: HttpRequest) -> HttpResponse:
    plan = plan_of(request.user)
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Your time is saved; the plan follows it.")
            return redirect("plan")
        status = 400
    else:
        status = 200
    speed = speed_of(profile_of(request))
    result, by_id, problem = work_out(plan, speed)
    sessions = []
    if result is not None:
        link = link_for(by_id, here=True)
        for session in result.sessions:
            parts = [
                (p, calendar_feed.part_span(p), link(p), by_id[p.item.key]) for p in session.parts
            ]
            sessions.append((session, parts))
    finish = result.finish if result else None
    late = bool(finish and plan.deadline and finish >= plan.deadline)
    context = {
        "form": form,
        "plan": plan,
        "result": result,
        "sessions": sessions,
        "problem": problem,
        "finish": finish,
        "late": late,
        "speed_label": Profile.Speed(speed).label,
        "zone": zone_of(plan),
        **feed_context(request, plan),
    }
    return render(request, "planner/plan.html", context, status=status)


@require_GET
@cache_control(public=True, max_age=86400)
def plan_time_zones(request: HttpRequest) -> JsonResponse:
    """The time zone field's suggestions, fetched by the plan page's script when the field is
    first used (six hundred names kept out of every plan page)."""
    return JsonResponse([name for name, _label in time_zones()], safe=False)


def feed_context(request: HttpRequest, plan: ViewingPlan) -> dict:
    """The private calendar link, as https and as webcal (which calendar apps open)."""
    feed_path = reverse("plan_feed", args=[plan.feed_token]) if plan.feed_token else ""
    feed_url = request.build_absolute_uri(feed_path) if feed_path else ""
    return {
        "feed_url": feed_url,
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1] if feed_url else "",
    }


@require_POST
@login_required
def plan_feed_publish(request: HttpRequest) -> HttpResponse:
    plan = plan_of(request.user)
    replaced = bool(plan.feed_token)
    plan.feed_token, plan.feed_digest = tokens.new()
    plan.save(update_fields=["feed_token", "feed_digest", "updated_at"])
    if request.htmx and not replaced:
        # One click makes it and copies it (the panel's script, once the link is in).
        context = {**feed_context(request, plan), "copy_now": True}
        return fragment(request, "planner/plan.html#feed", context, "Your calendar link is made.")
    messages.success(
        request,
        "A new calendar link is ready; the old one no longer works."
        if replaced
        else "Your calendar link is ready: add it to your calendar app.",
    )
    return redirect("plan")


@require_POST
@login_required
def plan_feed_revoke(request: HttpRequest) -> HttpResponse:
    plan = plan_of(request.user)
    plan.feed_token, plan.feed_digest = "", None
    plan.save(update_fields=["feed_token", "feed_digest", "updated_at"])
    messages.success(request, "The calendar link is switched off.")
    return redirect("plan")


def ics_response(plan: ViewingPlan, filename: str = "") -> HttpResponse:
    speed = speed_of(getattr(plan.user, "profile", None))
    result, by_id, _ = work_out(plan, speed)
    body = calendar_feed.calendar(
        result or planning.Plan([], speed), plan.pk, link_for(by_id), FEED_NAME
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def plan_ics(request: HttpRequest) -> HttpResponse:
    return ics_response(plan_of(request.user), f"viewing-plan-{datetime.date.today()}.ics")


@require_GET
@cache_control(private=True, max_age=0, must_revalidate=True)
def plan_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed calendar apps poll: the token is the only key, so no session
    is read or written (no cookie is set)."""
    plan = tokens.find(ViewingPlan.objects.select_related("user__profile"), token)
    if plan is None:
        raise Http404
    return ics_response(plan)
