"""What every page shares: the person's profile and speed, paging, the one access helper
for a record, and the two ways an action answers (a fragment for htmx, else a redirect)."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from planner import resume
from planner.lengths import at_speed, length_of
from planner.models import Entry, EntryTag, Profile
from planner.serving import kept
from sessions.models import Talk

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

    # As pages show them (live on kept pages: planner.resume).
    @property
    def left_text(self) -> str:
        return live(self.talk, self.entry, resume.left, self.seconds, self.speed)

    @property
    def percent_text(self) -> str:
        return live(self.talk, self.entry, resume.percent, self.seconds)

    @property
    def resume_clock(self) -> str:
        return live(self.talk, self.entry, resume.clock)

    @property
    def host_href(self) -> str:
        """The host's page at the resume point."""
        talk = self.talk
        return live(talk, self.entry, resume.host_link, talk.video_provider, talk.video_ref)

    @property
    def play_href(self) -> str:
        """Our player (which starts where the person stopped), else the host at that second."""
        return self.talk.play_url if self.talk.plays_here else self.host_href


def live(talk: Talk, entry: Entry | None, show, *args) -> str:
    """`show(the entry's resume point, *args)` (planner.resume), filled in fresh on a kept
    page (planner.serving.kept.live)."""
    return kept.live(talk.pk, entry.resume_seconds if entry is not None else None, show, *args)


def item_for(talk: Talk, entry: Entry | None, speed: int) -> Item:
    seconds, estimated = length_of(talk, entry)
    return Item(talk=talk, entry=entry, seconds=seconds, estimated=estimated, speed=speed)


def safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def profile_of(request: HttpRequest) -> Profile | None:
    """The signed-in person's profile (one query), made on first use."""
    if not request.user.is_authenticated:
        return None
    try:
        return request.user.profile  # loaded with the user (planner.serving.backends)
    except Profile.DoesNotExist:
        profile, _ = Profile.objects.get_or_create(user=request.user)
        return profile


def speed_of(profile: Profile | None) -> int:
    return profile.speed_percent if profile else DEFAULT_SPEED


def entry_for_user(request: HttpRequest, entry_id: int) -> Entry:
    """The signed-in person's record, or 404 for anyone else's."""
    return get_object_or_404(
        Entry.objects.select_related("talk__conference"), pk=entry_id, user=request.user
    )


def my_tags(user) -> list[str]:
    """Names of the tags this person uses. One query."""
    return list(
        EntryTag.objects.filter(content_object__user=user)
        .values_list("tag__name", flat=True)
        .distinct()
        .order_by("tag__name")
    )


def paginate(params: QueryDict, items, count: int | None = None) -> tuple[Page, str]:
    """One page of items, and the other query parameters for the page links."""
    paginator = Paginator(items, PAGE_SIZE)
    if count is not None:
        paginator.count = count  # known already: spare the COUNT query
    page = paginator.get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    return page, query.urlencode()


def partial_or_page(request: HttpRequest, template: str, name: str) -> str:
    """The page's own template, or one fragment of it for an htmx request."""
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        return f"{template}#{name}"
    return template


def current_query(request: HttpRequest) -> QueryDict:
    """The filters of the page an htmx action was made from."""
    if request.htmx and request.htmx.current_url:
        return QueryDict(urlsplit(request.htmx.current_url).query)
    return request.GET


def back(request: HttpRequest, message: str, fallback: str) -> HttpResponse:
    """Without JavaScript an action says what it did on the page it came from."""
    messages.success(request, message)
    return redirect(safe_next(request) or fallback)


def fragment(
    request: HttpRequest, template: str, context: dict, message: str, status: int = 200
) -> HttpResponse:
    """With htmx an action answers with the one part of the page that changed
    ("page.html#part"), and says what it did in the live region of that part."""
    context = {**context, "announce": message, "announce_in": template.partition("#")[2]}
    return render(request, template, context, status=status)
