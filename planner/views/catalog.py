"""The catalog, which is also the signed-in home."""

import secrets
from itertools import groupby

from django.core.cache import caches
from django.db import connection
from django.db.models import FilteredRelation, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from planner import cards, filters, news
from planner.forms import PlanFilterForm
from planner.models import Entry, Profile
from planner.serving import kept
from planner.serving.context_processors import images
from planner.views.common import item_for, my_tags, paginate, partial_or_page, profile_of, speed_of
from sessions import listing, search
from sessions.models import Talk
from sessions.topics import facets, topics_in_use


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Up and serving; touches no database. Also the benchmark's baseline."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    if request.GET.get("sort") in filters.BY_PEOPLE:
        # In the order of what everyone here does, which changes with neither the
        # catalog's version nor this person's token: drawn every time.
        return draw_catalog(request)
    # Signed out, every visitor is the same viewer: one kept page for all of them.
    return kept.serve(request, lambda: draw_catalog(request), live=True)


def draw_catalog(request: HttpRequest) -> HttpResponse:
    user = request.user
    profile = profile_of(request)
    token = listing.version()
    template = partial_or_page(request, "planner/catalog.html", "results")
    # Signed out, the filters and results are the same for everyone who asks the same
    # thing of the same catalog: kept in this process's memory, keyed on its version
    # (not an order by what people do here, which changes without the catalog).
    keep = profile is None and request.GET.get("sort") not in filters.BY_PEOPLE
    if keep:
        remote = images(request)["remote_images"]
        key = listing.key("results", token, remote, template, request.GET.urlencode())
        if (kept := caches["pages"].get(key)) is not None:
            return render(request, template, {"filters_html": kept[0], "results_html": kept[1]})
    tags = my_tags(user) if profile else []

    def form_for(data) -> PlanFilterForm:
        return PlanFilterForm(
            data,
            topics=listing.cached(token, "topics", topics_in_use),
            facets=listing.cached(token, "facets", facets),
            tags=tags,
            signed_in=profile is not None,
        )

    form = form_for(request.GET)
    partial = template.endswith("#results")
    if keep and form.is_valid():
        context, _ = results_context(request, form, None, token, partial)
        # No request: nothing of this visitor (tokens, cookies) can enter the copy.
        kept = [
            drawn_filters(form_for, request.GET, token, tags),
            mark_safe(render_to_string("planner/catalog.html#results", context)),
        ]
        caches["pages"].set(key, kept)
        return render(request, template, {"filters_html": kept[0], "results_html": kept[1]})
    context, status = results_context(request, form, profile, token, partial)
    first_page = status == 200 and context["page"].number == 1 and not form.active
    if not partial:
        if profile and first_page:
            context["home"] = home(user, context["speed"], profile.news_unseen)
        if status == 200:  # the filters as they read for these tags and this query
            context["filters_html"] = drawn_filters(form_for, request.GET, token, tags)
    return render(request, template, context, status=status)


# Where the search words go in a kept filter form: random per process, as cards' marks.
WORDS_MARK = f"\x1f{secrets.token_hex(8)}\x1f"


def drawn_filters(form_for, params: QueryDict, token: str, tags: list[str]) -> SafeString:
    """The filter form for valid `params`, kept per catalog version, tags and filters. The
    search words are put into a copy drawn once for the other filters: a new search
    drew the whole form (0.8 ms) to change one value. `form_for(data)` makes the form."""
    words = params.get("q", "")
    rest = params.copy()
    rest.pop("q", None)
    key = listing.key("filters", token, tags, rest.urlencode(), bool(words))
    if (html := caches["pages"].get(key)) is None:
        if words:
            rest["q"] = WORDS_MARK
        html = render_to_string("planner/catalog.html#filters", {"form": form_for(rest)})
        caches["pages"].set(key, html)
    return mark_safe(html.replace(WORDS_MARK, escape(words)) if words else html)


def results_context(request: HttpRequest, form: PlanFilterForm, profile, token: str,
                    partial: bool):  # fmt: skip
    """The page of talks the filters ask for, with each person's record: the context of
    the `results` partial (for htmx, `partial`, with the count to announce), and the
    status (400 for filters that do not validate)."""
    user = request.user
    rows = Talk.objects.select_related("conference").for_lists()
    if profile:
        # The person's record comes in the same row (a LEFT JOIN), not a query of its own.
        mine = FilteredRelation("entries", condition=Q(entries__user=user))
        rows = rows.annotate(mine=mine).select_related("mine")
    status = 200
    said_only: frozenset[int] = frozenset()
    speed = speed_of(profile)
    # Whether any talk has a transcript (from the filter choices, kept per version).
    spoken = listing.cached(token, "facets", facets)["transcript"]
    if not form.is_valid():
        page, query = paginate(request.GET, rows.none())
        status = 400
    elif not any(form.cleaned_data.values()):
        count = len(listing.places(token))  # kept per version, as a search needs it
        page, query = paginate(request.GET, rows.in_order(), count)
    else:
        # Filtered: one query for the ids of every match in order gives the count and
        # the page; a COUNT and a page query each walked the matches (5 ms apiece).
        data = form.cleaned_data
        said = spoken and bool(data.get("q"))

        def find() -> tuple[list[int], frozenset[int]]:
            return matching(data, user, speed, form.topics, said, token)

        if not filters.is_public(data):
            ids, said_only = find()
        else:  # the same for everyone: shared by every request this process serves
            key = f"ids:{filters.public_key(data, speed)}"
            ids, said_only = listing.cached(token, key, find)
        page, query = paginate(request.GET, ids)
        by_pk = rows.in_bulk(page.object_list)
        page.object_list = [by_pk[pk] for pk in page.object_list if pk in by_pk]
    talks = list(page)
    cards.prepare(talks, images(request)["remote_images"], token)
    words = form.cleaned_data.get("q") if status == 200 else ""
    if words and spoken:
        cards.find_said(talks, words, said_only)
    items = [item_for(t, getattr(t, "mine", None), speed) for t in talks]
    context = {"form": form, "page": page, "items": items, "query": query, "speed": speed}
    if user is not None and user.is_authenticated:
        context["waiting"] = news.waiting_among(user, [t.pk for t in talks if not t.video_ref])
    sort = form.cleaned_data.get("sort") if status == 200 else ""
    context["sections"] = sections(items, dict(SORT_HEADINGS).get(sort or ""), words, said_only)
    if partial:
        # Say the new count aloud: the list itself is replaced silently.
        context["announce"] = render_to_string("planner/catalog.html#count", context).strip()
        context["announce_in"] = "results"
    return context, status


def sections(items: list, sorted_by: str | None, words: str, said_only: frozenset[int]):
    """The page's cards under their headings: found by the search's words, then found by
    what their transcripts say; one list in the order asked for; or by conference and
    kind, as the conference lists them."""
    if said_only:
        order = f" · {sorted_by}" if sorted_by else ""
        found = [
            (f"About “{words}”{order}", [i for i in items if i.talk.pk not in said_only]),
            (f"Said in the talks{order}", [i for i in items if i.talk.pk in said_only]),
        ]
        return [(heading, part) for heading, part in found if part]
    if sorted_by:
        return [(sorted_by, items)] if items else []
    return [(label, list(part)) for label, part in groupby(items, lambda i: i.talk.section_label)]


def matching(data: dict, user, speed: int, topics, said: bool, token: str):
    """The ids of the talks the filters find, in order; with `said`, then those whose
    transcripts say the words (and not their titles or outlines), whose ids come
    second. Plain rows, unordered when the catalog's own order is asked for (sorted
    by listing.in_order): a common word finds thousands."""
    in_catalog_order = not data.get("sort")
    talks = Talk.objects.order_by()  # not even the model's own order: see listing.in_order
    rows = filters.talks(talks, data, user, speed, topics)
    # Words alone: the full-text index answers (on PostgreSQL the planner, left to
    # itself, read every talk for words most say: 32 ms against 9).
    by_index = filters.words_only(data)
    ids = [pk for (pk,) in listing.rows(rows.values_list("pk"), by_index=by_index)]
    if in_catalog_order:
        ids = listing.in_order(token, ids)
    if not said:
        return ids, frozenset()
    if in_catalog_order and filters.words_only(data):
        # The transcripts' index alone: no talk row to read, no list handed back.
        spoken = listing.in_order(token, search.said_ids(connection.vendor, data["q"]))
    else:
        rows = filters.talks(talks, data, user, speed, said=True)
        spoken = [pk for (pk,) in listing.rows(rows.values_list("pk"))]
        if in_catalog_order:
            spoken = listing.in_order(token, spoken)
    found = set(ids)
    only = [pk for pk in spoken if pk not in found]
    return ids + only, frozenset(only)


SORT_HEADINGS = [
    ("date", "Newest first"),
    ("length", "Shortest first"),
    ("watched", "Most watched here"),
    ("queued", "Most queued here"),
]

HOME_CONTINUE = 4  # talks in progress shown on the home page


HOME_UP_NEXT = 3
HOME_NEW = 3  # news not seen yet: the rest under New for you


def home(user, speed: int, unseen: int = 0) -> dict:
    """New for you (when something is: one query more), continue watching and the top of
    the queue, for the signed-in home page. 2 queries."""
    queued = Entry.objects.for_user(user).queued()
    top = queued.filter(status=Entry.Status.QUEUED).values("pk")[:HOME_UP_NEXT]
    rows = list(queued.with_talks().filter(Q(status=Entry.Status.WATCHING) | Q(pk__in=top)))
    watching = [e for e in rows if e.status == Entry.Status.WATCHING][:HOME_CONTINUE]
    up_next = [e for e in rows if e.status == Entry.Status.QUEUED]
    fresh = news.unseen(user)[:HOME_NEW] if unseen else []
    return {
        "new": [item_for(n.talk, None, speed) for n in fresh],
        "new_count": unseen,
        "continue": [item_for(e.talk, e, speed) for e in watching],
        "up_next": [item_for(e.talk, e, speed) for e in up_next],
        "queue_total": queued.totals(speed),
        "speed_label": Profile.Speed(speed).label,
    }
