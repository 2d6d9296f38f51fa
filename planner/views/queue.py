"""The queue page: order, totals, filters, moves."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from planner import filters, queue
from planner.forms import MoveForm, PlanFilterForm, ReorderForm
from planner.models import Entry, Profile
from planner.serving import kept
from planner.views.common import (
    back,
    current_query,
    entry_for_user,
    fragment,
    item_for,
    my_tags,
    paginate,
    partial_or_page,
    profile_of,
    speed_of,
)
from sessions import listing
from sessions.topics import topics_in_use

QUEUE_MOVES = [
    ("top", "Move to top", "⤒ Top"),
    ("up", "Move up", "↑ Up"),
    ("down", "Move down", "↓ Down"),
]


QUEUE_STATUSES = [("", "Queued or watching"), ("queued", "Queued"), ("watching", "Watching")]


def queue_context(request: HttpRequest, params: QueryDict) -> dict:
    user = request.user
    profile = profile_of(request)
    speed = speed_of(profile)
    form = PlanFilterForm(
        params,
        topics=listing.cached(listing.version(), "topics", topics_in_use),
        tags=my_tags(user),
        signed_in=True,
        statuses=QUEUE_STATUSES,
        sortable=False,  # the queue is in the person's own order
    )
    entries = Entry.objects.for_user(user).queued().with_talks().with_tags()
    valid = form.is_valid()
    if valid:
        entries = filters.entries(entries, form.cleaned_data, speed, form.topics)
    else:
        entries = entries.none()
    totals = entries.totals(speed)
    page, query = paginate(params, entries, totals["count"])
    return {
        "form": form,
        "valid": valid,
        "page": page,
        "query": query,
        "items": [item_for(e.talk, e, speed) for e in page],
        "speed": speed,
        "speed_label": Profile.Speed(speed).label,
        "total": totals,
        "moves": QUEUE_MOVES,
        "filtered": valid and any(v not in (None, "") for v in form.cleaned_data.values()),
    }


def queue_fragment(request: HttpRequest) -> tuple[str, dict]:
    """The queue as the page that made an htmx request shows it (same filters)."""
    return "planner/queue.html#queue", queue_context(request, current_query(request))


@require_GET
@login_required
@kept.page(live=True)
def queue_page(request: HttpRequest) -> HttpResponse:
    context = queue_context(request, request.GET)
    status = 200 if context["valid"] else 400
    return render(
        request, partial_or_page(request, "planner/queue.html", "queue"), context, status=status
    )


@require_POST
@login_required
def move(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = entry_for_user(request, entry_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Unknown direction.", status=400, content_type="text/plain")
    queue.move(entry, form.cleaned_data["direction"])
    label = dict(form.fields["direction"].choices)[form.cleaned_data["direction"]]
    message = f"{label}: “{entry.talk.title}”."
    if not request.htmx:
        return back(request, message, reverse("queue"))
    return fragment(request, *queue_fragment(request), message)


@require_POST
@login_required
def reorder(request: HttpRequest) -> HttpResponse:
    form = ReorderForm(request.POST)
    if not form.is_valid():
        return HttpResponse(form.errors["order"][0], status=400, content_type="text/plain")
    queue.reorder(request.user, form.cleaned_data["order"])
    if not request.htmx:
        return back(request, "New order saved.", reverse("queue"))
    # The page already shows the new order (the person dragged it there): say it is saved.
    return fragment(request, "planner/queue.html#saved", {}, "New order saved.")
