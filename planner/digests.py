"""Told by email: a digest of what became watchable for a person, a few minutes after
the news (so one refresh's news is one email), then at most one a day.

The News rows are the outbox: they are written with the recording, and a row without a
digest has not been mailed. The clock (`enqueue_due`) makes a Digest and ties the news
to it in one transaction, then queues its sending; `send` mails that digest and then
marks it sent. A worker killed between the two sends the same digest again (at worst
one repeated email), never a second digest and never none.

Emails go only to an address the person confirmed (a signed link, three days), and
carry an RFC 8058 one-click unsubscribe link, also in the body.
"""

import datetime
import logging
import smtplib
from urllib.parse import urlsplit

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import F, Min
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from planner import tokens
from planner.lengths import at_speed, length_of
from planner.markup import format_clock
from planner.models import Digest, News, Profile, Telling

logger = logging.getLogger(__name__)

SETTLE = datetime.timedelta(minutes=5)  # news of one refresh arrive within this
EVERY = datetime.timedelta(days=1)  # at most one digest a day
QUEUED_FOR = datetime.timedelta(hours=1)  # a digest queued this long ago and unsent is lost
RETRY_FIRST = datetime.timedelta(minutes=5)
RETRY_MOST = datetime.timedelta(hours=6)
GIVE_UP_AFTER = 12  # tries: about two days of a mail server refusing
CONFIRM_FOR = datetime.timedelta(days=3)


def telling_of(user, save: bool = True) -> Telling:
    """The person's settings, made on first use (the address they signed up with); with
    `save=False`, unsaved until then (for a page that only shows them)."""
    if not save:
        return Telling.objects.filter(user=user).first() or Telling(user=user, address=user.email)
    telling, _ = Telling.objects.get_or_create(user=user, defaults={"address": user.email})
    return telling


# Links in emails ------------------------------------------------------------------------


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def confirm_url(telling: Telling) -> str:
    token = tokens.signed("confirm-email", {"u": telling.user_id, "a": telling.address})
    return absolute(reverse("email_confirm", args=[token]))


def unsubscribe_url(user_id: int, address: str) -> str:
    token = tokens.signed("unsubscribe", {"u": user_id, "a": address})
    return absolute(reverse("email_unsubscribe", args=[token]))


def confirmed(user, token: str) -> Telling | None:
    """Confirm the address a link was sent for, if it is still the person's address."""
    value = tokens.unsigned("confirm-email", token, max_age=CONFIRM_FOR)
    if value is None or value.get("u") != user.pk:
        return None
    telling = Telling.objects.filter(user=user).first()
    if telling is None or telling.address != value.get("a"):
        return None
    if telling.confirmed_at is None:
        telling.confirmed_at = timezone.now()
        telling.save(update_fields=["confirmed_at"])
    return telling


def unsubscribe(token: str) -> Telling | None:
    """One-click unsubscribe: no more digests to the address the email went to."""
    value = tokens.unsigned("unsubscribe", token)
    if value is None:
        return None
    telling = Telling.objects.filter(user_id=value.get("u"), address=value.get("a")).first()
    if telling is not None and telling.digest_on:
        telling.digest_on = False
        telling.save(update_fields=["digest_on"])
    return telling


def send_confirmation(telling: Telling) -> None:
    """The email with the link that confirms the address (raises if it cannot be sent)."""
    context = {"user": telling.user, "address": telling.address, "url": confirm_url(telling),
               "days": CONFIRM_FOR.days}  # fmt: skip
    message = mail.EmailMultiAlternatives(
        "Confirm your address for Catch-up",
        render_to_string("emails/confirm.txt", context),
        to=[telling.address],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.send()


# The outbox -----------------------------------------------------------------------------


def outbox():
    """News not mailed yet that still means something: unseen, for a person who opted in
    to a confirmed address, written after they confirmed it."""
    return News.objects.filter(
        digest__isnull=True,
        seen_at__isnull=True,
        user__telling__digest_on=True,
        user__telling__confirmed_at__isnull=False,
        created_at__gte=F("user__telling__confirmed_at"),
    )


def due_people(now: datetime.datetime) -> list[int]:
    """Who gets a digest now: news settled for a few minutes, no digest in the last day."""
    settled = list(
        outbox()
        .values("user")
        .annotate(first=Min("created_at"))
        .filter(first__lte=now - SETTLE)
        .values_list("user", flat=True)
    )
    recent = set(
        Digest.objects.filter(user__in=settled, created_at__gt=now - EVERY).values_list(
            "user", flat=True
        )
    )
    return [user for user in settled if user not in recent]


def enqueue_due(now: datetime.datetime | None = None) -> list[Digest]:
    """Make the digests that are due, and queue them and any to be tried again."""
    from planner.tasks import send_digest

    now = now or timezone.now()
    made = []
    for user in due_people(now):
        with transaction.atomic():
            telling = Telling.objects.select_for_update().get(user_id=user)
            news = outbox().filter(user_id=user).select_for_update()
            ids = list(news.values_list("pk", flat=True))
            if not ids or not telling.mails:
                continue
            digest = Digest.objects.create(user_id=user, address=telling.address, next_at=now)
            News.objects.filter(pk__in=ids, digest__isnull=True).update(digest=digest)
            made.append(digest)
    queued = []
    for digest in Digest.objects.filter(next_at__lte=now).order_by("next_at"):
        with transaction.atomic():  # the marker and the task row commit together
            if Digest.objects.filter(pk=digest.pk, next_at__lte=now).update(
                next_at=now + QUEUED_FOR
            ):
                send_digest.enqueue(digest.pk)
                queued.append(digest)
    return queued


def in_words(error: Exception) -> str:
    """What went wrong, as staff read it: "the mail server answered 451 4.3.0 Try again"."""
    if isinstance(error, smtplib.SMTPResponseException):
        said = error.smtp_error
        said = said.decode(errors="replace") if isinstance(said, bytes) else str(said)
        return f"the mail server answered {error.smtp_code} {said}"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def backoff(tries: int) -> datetime.timedelta:
    return min(RETRY_FIRST * 2 ** max(tries - 1, 0), RETRY_MOST)


def send(digest_id: int, now: datetime.datetime | None = None) -> str:
    """Mail one digest (again, if a worker died before marking it sent); idempotent once
    it is marked."""
    digest = Digest.objects.select_related("user").filter(pk=digest_id).first()
    if digest is None:
        return "the digest is gone"
    if digest.sent_at is not None:
        return f"sent already, at {digest.sent_at:%Y-%m-%d %H:%M}"
    telling = Telling.objects.filter(user_id=digest.user_id).first()
    if telling is None or not telling.mails or telling.address != digest.address:
        # Switched off (or to another address) since it was made: not sent, and its news
        # stay on the site only.
        Digest.objects.filter(pk=digest.pk).update(next_at=None, error="not sent: switched off")
        return "not sent: the person switched the emails off"
    message = digest_message(digest)
    try:
        message.send()
    except Exception as error:  # the server refused or is away: try again later
        now = now or timezone.now()
        tries = digest.tries + 1
        again = now + backoff(tries) if tries < GIVE_UP_AFTER else None
        Digest.objects.filter(pk=digest.pk).update(tries=tries, next_at=again,
                                                   error=in_words(error)[:500])  # fmt: skip
        logger.warning("Digest %s to %s not sent (try %s): %s", digest.pk, digest.address,
                       tries, error)  # fmt: skip
        return f"not sent: {error}"
    Digest.objects.filter(pk=digest.pk).update(
        sent_at=now or timezone.now(), next_at=None, tries=digest.tries + 1, error=""
    )
    count = digest.news.count()
    return f"sent to {digest.address}: {count} talk{pluralize(count)}"


def length_words(talk, speed: int) -> str:
    seconds, estimated = length_of(talk, None)
    label = Profile.Speed(speed).label if speed in Profile.Speed.values else f"{speed / 100:g}x"
    text = f"{format_clock(at_speed(seconds, speed))} at {label}"
    return text + (" (estimated)" if estimated else "")


def digest_message(digest: Digest) -> mail.EmailMultiAlternatives:
    """The email, in plain text and HTML: each talk with its length at the person's speed
    and a link to watch it here."""
    profile = Profile.objects.filter(user_id=digest.user_id).first()
    speed = profile.speed_percent if profile else Profile.Speed.X150
    rows = [
        {
            "title": n.talk.title,
            "conference": n.talk.conference.name,
            "speaker": n.talk.speaker_name,
            "length": length_words(n.talk, speed),
            "url": absolute(n.talk.get_absolute_url()),
        }
        for n in digest.news.select_related("talk__conference").order_by("talk__title", "pk")
    ]
    off = unsubscribe_url(digest.user_id, digest.address)
    context = {"rows": rows, "unsubscribe": off, "user": digest.user,
               "new_url": absolute(reverse("new_for_you")),
               "settings_url": absolute(reverse("settings"))}  # fmt: skip
    host = site_host()
    count = len(rows)
    subject = f"Out now: {rows[0]['title']}" if count == 1 else f"{count} talks you wanted are out"
    message = mail.EmailMultiAlternatives(
        subject,
        render_to_string("emails/digest.txt", context),
        to=[digest.address],
        headers={
            "List-Unsubscribe": f"<{off}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            # The same id on a resend: a mail client shows a repeat as one message.
            "Message-ID": f"<digest-{digest.pk}.{digest.created_at:%Y%m%d%H%M%S}@{host}>",
        },
    )
    message.attach_alternative(render_to_string("emails/digest.html", context), "text/html")
    return message
