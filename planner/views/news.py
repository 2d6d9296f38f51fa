"""New for you: the talks a person waited for that can be watched now, and the other ways
of being told (the email digest's settings and links, the private Atom feed)."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from planner import digests, news, ratelimit, tokens
from planner.forms import TellingForm, WaitForm
from planner.models import Telling
from planner.views import account
from planner.views.common import back, item_for, profile_of, speed_of
from sessions.models import Talk

logger = logging.getLogger(__name__)


@require_GET
@login_required
def new_for_you(request: HttpRequest) -> HttpResponse:
    speed = speed_of(profile_of(request))
    rows = [(n, item_for(n.talk, None, speed)) for n in news.latest(request.user)]
    unseen = sum(1 for n, _ in rows if n.seen_at is None)
    telling = Telling.objects.filter(user=request.user).first()
    feed_url = ""
    if telling is not None and telling.feed_token:
        feed_url = request.build_absolute_uri(reverse("news_feed", args=[telling.feed_token]))
    context = {"rows": rows, "unseen": unseen, "telling": telling, "feed_url": feed_url}
    return render(request, "planner/new.html", context)


@require_POST
@login_required
def news_seen(request: HttpRequest) -> HttpResponse:
    count = news.seen(request.user)
    said = f"Marked {count} as seen." if count else "Nothing new to mark."
    return back(request, said, "/new/")


@require_POST
@login_required
def tell_me(request: HttpRequest, talk_id: int) -> HttpResponse:
    talk = get_object_or_404(Talk.objects.select_related("conference"), pk=talk_id)
    form = WaitForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Say yes or no.", status=400, content_type="text/plain")
    on = form.cleaned_data["wait"] == "yes"
    if on and talk.video_ref:
        return back(request, f"“{talk.title}” is out already.", talk.get_absolute_url())
    news.wait(request.user, talk, on)
    said = (
        f"We'll tell you when “{talk.title}” is out: under New for you, at the top of every page."
        if on
        else f"You won't be told about “{talk.title}”."
    )
    return back(request, said, talk.get_absolute_url())


# Told by email ---------------------------------------------------------------------------


@require_POST
@login_required
def email_settings(request: HttpRequest) -> HttpResponse:
    """Save the digest setting; a new address (or one never confirmed) gets a link first."""
    telling = digests.telling_of(request.user)
    before = telling.address
    form = TellingForm(request.POST, instance=telling)
    if not form.is_valid():
        return account.settings_response(request, telling_form=form, status=400)
    telling = form.save(commit=False)
    if telling.address != before:
        telling.confirmed_at = None
    telling.save()
    if not telling.digest_on:
        messages.success(request, "Saved: no emails. New talks still show under New for you.")
        return redirect("settings")
    if telling.confirmed_at is not None:
        messages.success(request, f"Saved: the emails go to {telling.address}.")
        return redirect("settings")
    return confirmation(request, telling)


@require_POST
@login_required
def email_resend(request: HttpRequest) -> HttpResponse:
    telling = digests.telling_of(request.user)
    if not telling.digest_on or telling.confirmed_at is not None:
        messages.info(request, "There is nothing to confirm.")
        return redirect("settings")
    return confirmation(request, telling)


def confirmation(request: HttpRequest, telling: Telling) -> HttpResponse:
    """Send the link that confirms the address, saying so (or why not)."""
    if not ratelimit.allow(request, "confirm_email", settings.CONFIRM_RATE_PER_HOUR):
        said = "Too many confirmation emails from your address. Try again in an hour; "
        messages.error(request, said + "your setting is saved.")
        return redirect("settings")
    try:
        digests.send_confirmation(telling)
    except Exception as error:
        logger.warning("Confirmation to %s not sent: %s", telling.address, error)
        said = f"Saved, but we could not send the confirmation to {telling.address} just now."
        messages.error(request, said + " Press Send the link again in a while.")
        return redirect("settings")
    said = f"Saved. We sent a link to {telling.address}: the emails start once you open it"
    messages.success(request, f"{said} (within {digests.CONFIRM_FOR.days} days).")
    return redirect("settings")


@require_GET
@login_required
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    telling = digests.confirmed(request.user, token)
    if telling is None:
        messages.error(request, "This confirmation link is not valid any more (it is over "
                       f"{digests.CONFIRM_FOR.days} days old, or for another address or "
                       "account). Save your email setting again for a new one.")  # fmt: skip
    else:
        messages.success(request, f"Confirmed: emails about new talks go to {telling.address}.")
    return redirect("settings")


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no cookie
@require_http_methods(["GET", "POST"])
def email_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every digest. GET asks (link checkers open links); POST does it."""
    value = tokens.unsigned("unsubscribe", token)
    if value is None:
        raise Http404
    if request.method == "POST":
        digests.unsubscribe(token)
        return render(request, "planner/unsubscribe.html", {"done": True, "address": value["a"]})
    return render(request, "planner/unsubscribe.html", {"address": value["a"]})


# The Atom feed --------------------------------------------------------------------------


@require_POST
@login_required
def news_feed_publish(request: HttpRequest) -> HttpResponse:
    telling = digests.telling_of(request.user)
    replaced = bool(telling.feed_token)
    telling.feed_token, telling.feed_digest = tokens.new()
    telling.save(update_fields=["feed_token", "feed_digest"])
    said = (
        "A new feed link is ready; the old one no longer works."
        if replaced
        else "Your feed link is ready: add it to your feed reader."
    )
    return back(request, said, reverse("new_for_you"))


@require_POST
@login_required
def news_feed_revoke(request: HttpRequest) -> HttpResponse:
    Telling.objects.filter(user=request.user).update(feed_token="", feed_digest=None)
    return back(request, "The feed link is switched off.", reverse("new_for_you"))


class NewsFeed(Feed):
    """One entry per talk that became watchable for the person (Django's syndication
    framework, Atom 1.0). The token is the only key: no session is read or written."""

    feed_type = Atom1Feed
    title = "New for you · Catch-up"
    subtitle = "Talks you waited for that can be watched now."

    def get_object(self, request: HttpRequest, token: str) -> Telling:
        telling = tokens.find(Telling.objects.select_related("user__profile"), token)
        if telling is None:
            raise Http404
        return telling

    def link(self, telling: Telling) -> str:
        return reverse("new_for_you")

    def items(self, telling: Telling):
        rows = list(news.latest(telling.user).order_by("-created_at", "-pk")[:50])
        speed = speed_of(getattr(telling.user, "profile", None))  # loaded with the token
        for row in rows:
            row.speed = speed
        return rows

    def item_title(self, item) -> str:
        return item.talk.title

    def item_description(self, item) -> str:
        said = [item.talk.conference.name, item.talk.speaker_name,
                digests.length_words(item.talk, item.speed)]  # fmt: skip
        return " · ".join(s for s in said if s)

    def item_link(self, item) -> str:
        return item.talk.get_absolute_url()

    def item_guid(self, item) -> str:
        return f"tag:{digests.site_host()},2026:news/{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.created_at


news_feed = cache_control(private=True, max_age=0, must_revalidate=True)(NewsFeed())
