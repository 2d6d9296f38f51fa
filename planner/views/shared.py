"""A published list's public page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from planner import sharing
from planner.lengths import at_speed, length_of
from planner.markup import plain_text
from planner.models import Entry, RecommendedList
from planner.serving import kept


def published_or_404(token: str) -> RecommendedList:
    rlist = sharing.find_published(token)
    if rlist is None:
        raise Http404("No such list")
    return rlist


@require_GET
def shared_list(request: HttpRequest, token: str) -> HttpResponse:
    rlist = published_or_404(token)
    # The page shows the curator's records: kept until they change them.
    return kept.serve(request, lambda: draw_shared_list(request, rlist), kept.viewer_of(rlist.user))


def draw_shared_list(request: HttpRequest, rlist: RecommendedList) -> HttpResponse:
    items = list(rlist.items.select_related("talk__conference").order_by("position"))
    records = {
        e.talk_id: e
        for e in Entry.objects.filter(user_id=rlist.user_id, talk__in=[i.talk_id for i in items])
    }
    rows, total = [], 0
    for item in items:
        entry = records.get(item.talk_id)
        seconds, estimated = length_of(item.talk, entry)
        total += at_speed(seconds, item.speed_percent)
        rows.append(
            {
                "item": item,
                "seconds": at_speed(seconds, item.speed_percent),  # at the suggested speed
                "estimated": estimated,
                "rating": entry.rating if entry else None,
                "note_html": entry.note_html if entry and item.share_note else "",
            }
        )
    intro_html = rlist.intro_html
    curator = rlist.user.get_full_name() or rlist.user.get_username()
    context = {
        "rlist": rlist,
        "rows": rows,
        "share_url": request.build_absolute_uri(),
        "intro_html": intro_html,
        "preview": plain_text(intro_html) or f"Conference talks recommended by {curator}",
        "curator": curator,
        "total_seconds": total,
    }
    return render(request, "planner/shared_list.html", context)


@require_POST
@login_required
def shared_list_add(request: HttpRequest, token: str) -> HttpResponse:
    rlist = published_or_404(token)
    counts = sharing.queue_all(request.user, rlist)
    parts = [f"Added {counts['added']} talk{'s' if counts['added'] != 1 else ''} to your queue"]
    if counts["watched"]:
        parts.append(f"you had already watched {counts['watched']}")
    if counts["queued"]:
        parts.append(
            f"{counts['queued']} {'were' if counts['queued'] != 1 else 'was'} queued already"
        )
    messages.success(request, "; ".join(parts) + ".")
    return redirect("shared_list", token=token)
