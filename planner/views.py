from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordResetView
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    FilteredRelation,
    Q,
    Sum,
)
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from planner import filters, notes, queue, ratelimit
from planner.forms import (
    BackupForm,
    LengthForm,
    MoveForm,
    NoteForm,
    PlanFilterForm,
    ProfileForm,
    RatingForm,
    ReorderForm,
    SignUpForm,
    StatusForm,
    TagForm,
    TrackForm,
    UndoForm,
)
from planner.markup import format_clock
from planner.models import (
    ESTIMATED,
    Entry,
    EntryTag,
    Profile,
    Viewing,
    at_speed,
    length_expression,
    length_of,
    note_fingerprint,
)
from sessions import listing, search
from sessions.models import Talk
from sessions.topics import topics_in_use

PAGE_SIZE = 20  # cards are text-heavy: 20 is a comfortable read, and a fast page
DEFAULT_SPEED = Profile.Speed.X150


@dataclass
class Item:
    """A talk as one person sees it: their record and its length at their speed."""

    talk: Talk
    entry: Entry | None
    seconds: int
    estimated: bool
    speed: int

    @property
    def speed_label(self) -> str:
        return Profile.Speed(self.speed).label

    @property
    def seconds_at_speed(self) -> int:
        return at_speed(self.seconds, self.speed)

    @property
    def left_at_speed(self) -> int:
        """What is left to watch from the resume point, at the person's speed."""
        done = (self.entry.resume_seconds or 0) if self.entry else 0
        return at_speed(max(self.seconds - done, 0), self.speed)

    @property
    def progress_percent(self) -> int:
        done = (self.entry.resume_seconds or 0) if self.entry else 0
        return min(100, round(100 * done / self.seconds)) if self.seconds else 0


def _item(talk: Talk, entry: Entry | None, speed: int) -> Item:
    seconds, estimated = length_of(talk, entry)
    return Item(talk=talk, entry=entry, seconds=seconds, estimated=estimated, speed=speed)


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _profile(request: HttpRequest) -> Profile | None:
    """The signed-in person's profile (one query), made on first use."""
    if not request.user.is_authenticated:
        return None
    try:
        return request.user.profile  # loaded with the user (planner.backends)
    except Profile.DoesNotExist:
        profile, _ = Profile.objects.get_or_create(user=request.user)
        return profile


def _speed(profile: Profile | None) -> int:
    return profile.speed_percent if profile else DEFAULT_SPEED


def _get_entry_for_user(request: HttpRequest, entry_id: int) -> Entry:
    """The signed-in person's record, or 404 for anyone else's."""
    return get_object_or_404(
        Entry.objects.select_related("talk__conference"), pk=entry_id, user=request.user
    )


def _my_tags(user) -> list[str]:
    """Names of the tags this person uses. One query."""
    return list(
        EntryTag.objects.filter(content_object__user=user)
        .values_list("tag__name", flat=True)
        .distinct()
        .order_by("tag__name")
    )


def _page(params: QueryDict, items, count: int | None = None) -> tuple[Page, str]:
    """One page of items, and the other query parameters for the page links."""
    paginator = Paginator(items, PAGE_SIZE)
    if count is not None:
        paginator.count = count  # known already: spare the COUNT query
    page = paginator.get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _partial(request: HttpRequest, template: str, name: str) -> str:
    """The page's own template, or one fragment of it for an htmx request."""
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        return f"{template}#{name}"
    return template


# Catalog ----------------------------------------------------------------------


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Up and serving; touches no database. Also the benchmark's baseline."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    user = request.user
    profile = _profile(request)
    token = listing.version()
    form = PlanFilterForm(
        request.GET,
        topics=listing.cached(token, "topics", topics_in_use),
        tags=_my_tags(user) if profile else [],
        signed_in=profile is not None,
    )
    rows = Talk.objects.select_related("conference").for_lists().with_topics()
    if profile:
        # The person's record comes in the same row (a LEFT JOIN), not a query of its own.
        mine = FilteredRelation("entries", condition=Q(entries__user=user))
        rows = rows.annotate(mine=mine).select_related("mine")
    status = 200
    if not form.is_valid():
        page, query = _page(request.GET, rows.none())
        status = 400
    elif not any(form.cleaned_data.values()):
        count = listing.cached(token, "count", Talk.objects.count)
        page, query = _page(request.GET, rows.in_order(), count)
    else:
        # Filtered: one query for the ids of every match in order gives the count and
        # the page; a COUNT and a page query each walked the matches (5 ms apiece).
        data = form.cleaned_data
        matches = filters.talks(Talk.objects.in_order(), data, user)

        def find() -> list[int]:
            return list(matches.values_list("pk", flat=True))

        if not filters.is_public(data):
            ids = find()
        else:  # the same for everyone: shared by every request this process serves
            words = " ".join(search.words(data["q"]))
            ids = listing.cached(token, f"ids:{words}|{data['kind']}|{data['topic']}", find)
        page, query = _page(request.GET, ids)
        by_pk = rows.in_bulk(page.object_list)
        page.object_list = [by_pk[pk] for pk in page.object_list if pk in by_pk]
    speed = _speed(profile)
    items = [_item(t, getattr(t, "mine", None), speed) for t in page]
    context = {"form": form, "page": page, "items": items, "query": query, "speed": speed}
    template = _partial(request, "planner/catalog.html", "results")
    first_page = status == 200 and page.number == 1 and not form.active
    if profile and first_page and not template.endswith("#results"):
        context["home"] = _home(user, speed)
    if template.endswith("#results"):
        # Say the new count aloud: the list itself is replaced silently.
        context["announce"] = render_to_string("planner/catalog.html#count", context).strip()
        context["announce_in"] = "results"
    return render(request, template, context, status=status)


# Talk page --------------------------------------------------------------------


def _talk_context(request: HttpRequest, talk: Talk, entry: Entry | None, **forms) -> dict:
    profile = _profile(request)
    context = {
        "talk": talk,
        "entry": entry,
        "item": _item(talk, entry, _speed(profile)),
        "speed": _speed(profile),
    }
    if entry is not None:
        latest = entry.viewings.all()[:1]
        context.update(
            status_form=StatusForm(
                initial={
                    "status": entry.status or Entry.Status.QUEUED,
                    "resume": format_clock(entry.resume_seconds),
                    "watched_on": latest[0].watched_on if latest else None,
                },
                auto_id="id_status_%s",
            ),
            rating_form=RatingForm(initial={"rating": entry.rating}),
            note_form=NoteForm(initial={"note": entry.note, "base": note_fingerprint(entry.note)}),
            note_base=note_fingerprint(entry.note),
            revisions=entry.revisions.all()[:10],
            tag_form=TagForm(),
            length_form=LengthForm(initial={"length": format_clock(entry.personal_seconds)}),
        )
    context.update(forms)
    return context


@require_GET
def talk_detail(request: HttpRequest, conference_slug: str, slug: str) -> HttpResponse:
    talk = get_object_or_404(
        Talk.objects.select_related("conference").with_topics(),
        conference__slug=conference_slug,
        slug=slug,
    )
    entry = None
    if request.user.is_authenticated:
        mine = Entry.objects.filter(user=request.user, talk=talk)
        entry = mine.with_tags().with_viewings().first()
        if entry is not None:
            entry.talk = talk  # resume links and notes need it: spare a query
    return render(request, "planner/talk_detail.html", _talk_context(request, talk, entry))


# Personal actions -------------------------------------------------------------


def _done(
    request: HttpRequest, message: str, fragment: Callable[[], tuple[str, dict]], fallback: str
):
    """htmx: the fragment, with the message for the live region; else redirect back.

    fragment builds (template, context) only when an htmx request needs it.
    """
    if request.htmx:
        template, context = fragment()
        context["announce"] = message
        context["announce_in"] = template.partition("#")[2]
        return render(request, template, context)
    messages.success(request, message)
    return redirect(_safe_next(request) or fallback)


def _refused(request: HttpRequest, template: str, entry: Entry, **forms) -> HttpResponse:
    """Invalid input: the control again with its error next to it; nothing was saved.

    htmx gets the one fragment (422); without JavaScript, the whole talk page (400).
    """
    context = _talk_context(request, entry.talk, entry, **forms)
    if request.htmx:
        context["announce"] = "Not saved: please correct the error shown."
        context["announce_in"] = template.partition("#")[2]
        return render(request, template, context, status=422)
    return render(request, "planner/talk_detail.html", context, status=400)


def _card_context(request: HttpRequest, talk: Talk, entry: Entry | None) -> dict:
    return {"item": _item(talk, entry, _speed(_profile(request))), "user": request.user}


def _talk_fragment(request: HttpRequest, template: str, entry: Entry, **extra):
    """A builder for one part of the talk page, with the record fresh from the database."""

    def build() -> tuple[str, dict]:
        fresh = Entry.objects.select_related("talk__conference").with_tags().with_viewings()
        fresh_entry = fresh.get(pk=entry.pk)
        return template, {**_talk_context(request, fresh_entry.talk, fresh_entry), **extra}

    return build


def _queue_fragment(request: HttpRequest) -> tuple[str, dict]:
    return "planner/queue.html#queue", _queue_context(request, _current_query(request))


FRAGMENTS = {  # the form's "fragment": which part of which page the answer replaces
    "card": ("planner/catalog.html#card", "#talk-{pk}"),
    "queue": ("planner/queue.html#queue", "#queue"),
    "status": ("planner/talk_detail.html#status", "#status"),
    "panel": ("planner/talk_detail.html#panel", "#panel"),
}


def _fragment_for(request: HttpRequest, talk: Talk, entry: Entry | None) -> tuple[str, dict]:
    """Which part of which page an action answers with, from the form's "fragment"."""
    where = request.POST.get("fragment")
    if where == "card":
        return FRAGMENTS["card"][0], _card_context(request, talk, entry)
    if where == "queue":
        return _queue_fragment(request)
    if entry is not None:
        entry = Entry.objects.filter(pk=entry.pk).with_tags().with_viewings().first()
        entry.talk = talk  # its resume link needs it: spare a query
    if where == "status" and entry is not None:
        return FRAGMENTS["status"][0], _talk_context(request, talk, entry)
    # The panel was first asked for with no record: the notes section appears with it.
    return FRAGMENTS["panel"][0], {**_talk_context(request, talk, entry), "panel_more": True}


def _undo_offer(request: HttpRequest, entry: Entry, before: queue.Before) -> dict:
    where = request.POST.get("fragment")
    target = FRAGMENTS[where][1].format(pk=entry.talk_id) if where in FRAGMENTS else ""
    return {
        "token": queue.undo_token(entry, before),
        "title": entry.talk.title,
        "talk_id": entry.talk_id,
        "fragment": where if where in FRAGMENTS else "",
        "target": target,
    }


@require_POST
@login_required
def track(request: HttpRequest, talk_id: int) -> HttpResponse:
    talk = get_object_or_404(Talk.objects.select_related("conference"), pk=talk_id)
    form = TrackForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Unknown status.", status=400, content_type="text/plain")
    status = form.cleaned_data["status"]
    undo = None
    if status == Entry.Status.WATCHED:
        entry, before = queue.mark_watched(request.user, talk)
        if before.viewing_id is not None:
            # The Undo comes with the announcement (htmx) or the message (no JS).
            undo = _undo_offer(request, entry, before)
            if not request.htmx:
                request.session["undo"] = undo
    else:
        entry = queue.track(request.user, talk, status)
    message = {
        Entry.Status.QUEUED: f"Added “{talk.title}” to your queue.",
        Entry.Status.WATCHING: f"Watching “{talk.title}”.",
        Entry.Status.WATCHED: f"Marked “{talk.title}” as watched today.",
        Entry.Status.SKIPPED: f"Skipped “{talk.title}”.",
    }[entry.status]

    def build() -> tuple[str, dict]:
        template, context = _fragment_for(request, talk, entry)
        return template, {**context, "undo": undo}

    return _done(request, message, build, talk.get_absolute_url())


@require_POST
@login_required
def undo_watched(request: HttpRequest) -> HttpResponse:
    form = UndoForm(request.POST, user=request.user)
    if not form.is_valid():
        return HttpResponse(form.errors["token"][0], status=400, content_type="text/plain")
    entry_id, before = form.cleaned_data["token"]
    entry = _get_entry_for_user(request, entry_id)
    talk = entry.talk
    restored = queue.undo_watched(entry, before)
    entry = restored if restored.pk else None
    back = "back in your queue" if entry and entry.in_queue else "no longer marked watched"
    message = f"Undone: “{talk.title}” is {back}."
    return _done(
        request, message, lambda: _fragment_for(request, talk, entry), talk.get_absolute_url()
    )


@require_POST
@login_required
def unqueue(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _get_entry_for_user(request, entry_id)
    talk = entry.talk
    entry = queue.unqueue(entry)
    message = f"Removed “{talk.title}” from your queue."
    return _done(
        request, message, lambda: _fragment_for(request, talk, entry), talk.get_absolute_url()
    )


@require_POST
@login_required
def set_status(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _get_entry_for_user(request, entry_id)
    form = StatusForm(request.POST, auto_id="id_status_%s")
    if not form.is_valid():
        return _refused(request, "planner/talk_detail.html#status", entry, status_form=form)
    data = form.cleaned_data
    entry = queue.set_status(entry, data["status"], data["resume"], data["watched_on"])
    message = f"“{entry.talk.title}”: {entry.get_status_display().lower()}."
    return _done(
        request,
        message,
        lambda: _fragment_for(request, entry.talk, entry),
        entry.talk.get_absolute_url(),
    )


@require_POST
@login_required
def rate(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _get_entry_for_user(request, entry_id)
    form = RatingForm(request.POST)
    template = "planner/talk_detail.html#rating_value"
    if not form.is_valid():
        return _refused(request, template, entry, rating_form=form)
    entry.set_rating(form.cleaned_data["rating"])
    message = f"Rated {entry.rating} of 5." if entry.rating else "Rating cleared."

    def build() -> tuple[str, dict]:
        if request.POST.get("fragment") in ("card", "queue"):  # the stars on a card or row
            return _fragment_for(request, entry.talk, entry)
        return template, {
            "entry": entry,
            "rating_form": RatingForm(initial={"rating": entry.rating}),
        }

    return _done(request, message, build, entry.talk.get_absolute_url())


@require_POST
@login_required
def save_note(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _get_entry_for_user(request, entry_id)
    form = NoteForm(request.POST)
    template = "planner/talk_detail.html#note_status"
    if not form.is_valid():
        return _refused(request, template, entry, note_form=form)
    entry, conflict = notes.save(entry, form.cleaned_data["note"], form.cleaned_data["base"])
    message = (
        "Note saved. It had changed in another tab: that text is kept under Earlier versions."
        if conflict
        else "Note saved."
    )
    context = {
        "entry": entry,
        "note_form": form,
        "note_base": note_fingerprint(entry.note),
        "note_conflict": conflict,
        "revisions": entry.revisions.all()[:10],
    }
    return _done(request, message, lambda: (template, context), entry.talk.get_absolute_url())


@require_POST
@login_required
def add_tag(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _get_entry_for_user(request, entry_id)
    form = TagForm(request.POST)
    template = "planner/talk_detail.html#tags"
    if not form.is_valid():
        return _refused(request, template, entry, tag_form=form)
    entry.tags.add(form.cleaned_data["name"])
    message = f"Tagged “{form.cleaned_data['name']}”."
    return _done(
        request, message, _talk_fragment(request, template, entry), entry.talk.get_absolute_url()
    )


@require_POST
@login_required
def remove_tag(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _get_entry_for_user(request, entry_id)
    name = request.POST.get("name", "")
    entry.tags.remove(name)
    build = _talk_fragment(request, "planner/talk_detail.html#tags", entry)
    return _done(request, f"Removed tag “{name}”.", build, entry.talk.get_absolute_url())


@require_POST
@login_required
def set_length(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _get_entry_for_user(request, entry_id)
    form = LengthForm(request.POST)
    template = "planner/talk_detail.html#length"
    if not form.is_valid():
        return _refused(request, template, entry, length_form=form)
    entry.personal_seconds = form.cleaned_data["length"]
    entry.save(update_fields=["personal_seconds", "updated_at"])
    message = (
        f"Length set to {format_clock(entry.personal_seconds)}."
        if entry.personal_seconds
        else "Length cleared: using the estimate."
    )
    return _done(
        request, message, _talk_fragment(request, template, entry), entry.talk.get_absolute_url()
    )


# Queue ------------------------------------------------------------------------


def _current_query(request: HttpRequest) -> QueryDict:
    """The filters of the page an htmx action was made from."""
    if request.htmx and request.htmx.current_url:
        return QueryDict(urlsplit(request.htmx.current_url).query)
    return request.GET


# (direction, accessible name, what the button shows): short, so a row fits a phone.
QUEUE_MOVES = [
    ("top", "Move to top", "⤒ Top"),
    ("up", "Move up", "↑ Up"),
    ("down", "Move down", "↓ Down"),
]

QUEUE_STATUSES = [("", "Queued or watching"), ("queued", "Queued"), ("watching", "Watching")]


def _totals(entries, speed: int) -> dict:
    """Count and length of some queue entries at 1x and at speed, in one query."""
    totals = entries.order_by().aggregate(
        count=Count("pk"), seconds=Sum(length_expression()), estimated=Count("pk", filter=ESTIMATED)
    )
    seconds = totals["seconds"] or 0
    fast = at_speed(seconds, speed)
    return {**totals, "seconds": seconds, "at_speed": fast, "saved": seconds - fast}


HOME_CONTINUE = 4  # talks in progress shown on the home page
HOME_UP_NEXT = 3


def _home(user, speed: int) -> dict:
    """Continue watching and the top of the queue, for the signed-in home page. 2 queries."""
    queued = Entry.objects.for_user(user).queued()
    top = queued.filter(status=Entry.Status.QUEUED).values("pk")[:HOME_UP_NEXT]
    rows = list(queued.with_talks().filter(Q(status=Entry.Status.WATCHING) | Q(pk__in=top)))
    watching = [e for e in rows if e.status == Entry.Status.WATCHING][:HOME_CONTINUE]
    up_next = [e for e in rows if e.status == Entry.Status.QUEUED]
    return {
        "continue": [_item(e.talk, e, speed) for e in watching],
        "up_next": [_item(e.talk, e, speed) for e in up_next],
        "queue_total": _totals(queued, speed),
        "speed_label": Profile.Speed(speed).label,
    }


def _queue_context(request: HttpRequest, params: QueryDict) -> dict:
    user = request.user
    profile = _profile(request)
    speed = _speed(profile)
    form = PlanFilterForm(
        params,
        topics=listing.cached(listing.version(), "topics", topics_in_use),
        tags=_my_tags(user),
        signed_in=True,
        statuses=QUEUE_STATUSES,
    )
    entries = Entry.objects.for_user(user).queued().with_talks().with_tags()
    valid = form.is_valid()
    entries = filters.entries(entries, form.cleaned_data) if valid else entries.none()
    totals = _totals(entries, speed)
    page, query = _page(params, entries, totals["count"])
    return {
        "form": form,
        "valid": valid,
        "page": page,
        "query": query,
        "items": [_item(e.talk, e, speed) for e in page],
        "speed": speed,
        "speed_label": Profile.Speed(speed).label,
        "total": totals,
        "moves": QUEUE_MOVES,
        "filtered": valid and any(v not in (None, "") for v in form.cleaned_data.values()),
    }


@require_GET
@login_required
def queue_page(request: HttpRequest) -> HttpResponse:
    context = _queue_context(request, request.GET)
    status = 200 if context["valid"] else 400
    return render(request, _partial(request, "planner/queue.html", "queue"), context, status=status)


@require_POST
@login_required
def move(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _get_entry_for_user(request, entry_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Unknown direction.", status=400, content_type="text/plain")
    queue.move(entry, form.cleaned_data["direction"])
    label = dict(form.fields["direction"].choices)[form.cleaned_data["direction"]]
    message = f"{label}: “{entry.talk.title}”."
    return _done(request, message, lambda: _queue_fragment(request), reverse("queue"))


@require_POST
@login_required
def reorder(request: HttpRequest) -> HttpResponse:
    form = ReorderForm(request.POST)
    if not form.is_valid():
        return HttpResponse(form.errors["order"][0], status=400, content_type="text/plain")
    queue.reorder(request.user, form.cleaned_data["order"])
    # The page already shows the new order (the person dragged it there): say it is saved.
    saved = ("planner/queue.html#saved", {})
    return _done(request, "New order saved.", lambda: saved, reverse("queue"))


# Watched diary and settings ---------------------------------------------------


@require_GET
@login_required
def watched(request: HttpRequest) -> HttpResponse:
    """The diary: every viewing, newest first; a rewatch is a line of its own."""
    speed = _speed(_profile(request))
    page, query = _page(request.GET, Viewing.objects.for_user(request.user).diary())
    rows, seen = [], set()
    for v in page:  # newest first: a talk's note goes with its latest viewing only
        rows.append((v, _item(v.entry.talk, v.entry, speed), v.entry_id not in seen))
        seen.add(v.entry_id)
    return render(request, "planner/watched.html", {"page": page, "query": query, "rows": rows})


@require_http_methods(["GET", "POST"])
@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    profile = _profile(request)
    form = ProfileForm(request.POST or None, instance=profile)
    context = {"form": form, "backup_form": BackupForm()}
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, f"Speed set to {profile.speed_label}.")
            return redirect(_safe_next(request) or "settings")
        return render(request, "planner/settings.html", context, status=400)
    return render(request, "planner/settings.html", context)


# Accounts ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def welcome(request: HttpRequest) -> HttpResponse:
    """Right after sign-up: choose a speed, then off to the talks."""
    profile = _profile(request)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, f"Speed set to {profile.speed_label}. Now pick some talks.")
            return redirect("catalog")
        return render(request, "planner/welcome.html", {"form": form}, status=400)
    return render(request, "planner/welcome.html", {"form": form})


@sensitive_post_parameters("password1", "password2")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("catalog")
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        if not ratelimit.allow(request, "signup", settings.SIGNUP_RATE_PER_HOUR):
            form.add_error(None, "Too many sign-ups from your address. Try again in an hour.")
            return render(request, "registration/signup.html", {"form": form}, status=429)
        if form.is_valid():
            user = form.save()
            login(request, user, backend="planner.backends.ProfileModelBackend")
            return redirect(_safe_next(request) or "welcome")
        return render(request, "registration/signup.html", {"form": form}, status=400)
    return render(request, "registration/signup.html", {"form": form, "next": _safe_next(request)})


class ThrottledPasswordResetView(PasswordResetView):
    """Django's reset view, with a limit per client: it sends email to anyone's address."""

    def post(self, request, *args, **kwargs):
        if not ratelimit.allow(request, "password_reset", settings.RESET_RATE_PER_HOUR):
            form = self.get_form()
            form.is_valid()
            form.add_error(None, "Too many reset requests from your address. Try again in an hour.")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)
