import datetime
import hashlib

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from planner import markup
from planner.lengths import at_speed, length
from sessions.models import Talk, linked_tags, tag_links

NOTE_MAX_CHARS = 20_000

# Playback speeds, in percent; Profile.Speed names them. Checked in the database too.
SPEEDS = [100, 125, 150, 175, 200]


def speed_known(name: str) -> models.CheckConstraint:
    """A speed_percent column holds one of SPEEDS (checked by the database)."""
    return models.CheckConstraint(condition=Q(speed_percent__in=SPEEDS), name=name)


def token_and_digest_together(field: str, name: str) -> models.CheckConstraint:
    """A link token (planner.tokens) and its digest are set and cleared together."""
    empty = Q(**{f"{field}_digest__isnull": True, f"{field}_token": ""})
    full = Q(**{f"{field}_digest__isnull": False}) & ~Q(**{f"{field}_token": ""})
    return models.CheckConstraint(condition=empty | full, name=name)


class Profile(models.Model):
    class Speed(models.IntegerChoices):
        X1 = 100, "1x"
        X125 = 125, "1.25x"
        X150 = 150, "1.5x"
        X175 = 175, "1.75x"
        X200 = 200, "2x"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    speed_percent = models.PositiveSmallIntegerField(
        "playback speed", choices=Speed.choices, default=Speed.X150
    )
    news_unseen = models.PositiveIntegerField(
        db_default=0, editable=False, help_text="New-for-you items not yet seen (planner.news)"
    )
    remote_images = models.BooleanField(
        "show video thumbnails",
        default=True,
        help_text="Pictures come from the video hosts (YouTube, media.ccc.de, Vimeo), "
        "which then see your address. Turn this off to show plain boxes instead.",
    )

    class Meta:
        constraints = [
            speed_known("profile_speed_known"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.get_speed_percent_display()}"

    @property
    def speed_label(self) -> str:
        return self.get_speed_percent_display()


class EntryQuerySet(models.QuerySet):
    def for_user(self, user) -> "EntryQuerySet":
        return self.filter(user=user)

    def queued(self) -> "EntryQuerySet":
        """The watch list: queued and in-progress talks, in the person's order."""
        return self.filter(status__in=Entry.QUEUE_STATUSES).order_by("position", "pk")

    def with_talks(self) -> "EntryQuerySet":
        """Each record with its talk and conference, as lists show them."""
        return self.select_related("talk__conference").defer(
            *(f"talk__{name}" for name in Talk.PAGE_ONLY_FIELDS)
        )

    def with_viewings(self) -> "EntryQuerySet":
        """Viewings newest first in one query, for `entry.watched_line`."""
        return self.prefetch_related(VIEWINGS)

    def with_tags(self) -> "EntryQuerySet":
        """The person's tags in one query, for `entry.my_tags`."""
        return self.prefetch_related(entry_tags())

    def totals(self, speed: int) -> dict:
        """Count and length of these records at 1x and at `speed`, in one query. The four
        values the length rule reads come back and are summed here: the rule stays in one
        place, and building the aggregate in SQL cost the ORM 7 ms a page."""
        count = seconds = estimated = 0
        fields = (
            "personal_seconds",
            "talk__duration_seconds",
            "talk__length_is_slot",
            "talk__kind",
        )
        for row in self.order_by().values_list(*fields):
            one, guess = length(*row)
            count, seconds, estimated = count + 1, seconds + one, estimated + guess
        fast = at_speed(seconds, speed)
        return {
            "count": count,
            "seconds": seconds,
            "estimated": estimated,
            "at_speed": fast,
            "saved": seconds - fast,
        }

    def in_progress(self) -> "EntryQuerySet":
        """Talks the person stopped part-way through, in queue order."""
        return self.filter(status=Entry.Status.WATCHING).order_by("position", "pk")


class Entry(models.Model):
    """One person's record of one talk: plan, progress, verdict and notes."""

    class Status(models.TextChoices):
        NONE = "", "Not planned"
        QUEUED = "queued", "Queued"
        WATCHING = "watching", "Watching"
        WATCHED = "watched", "Watched"
        SKIPPED = "skipped", "Skipped (not for me)"

    QUEUE_STATUSES = (Status.QUEUED, Status.WATCHING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="entries"
    )
    talk = models.ForeignKey(Talk, on_delete=models.CASCADE, related_name="entries")
    status = models.CharField(max_length=10, choices=Status.choices, blank=True, default="")
    position = models.PositiveIntegerField(
        null=True, blank=True, help_text="Place in the queue; empty when not queued"
    )
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True, max_length=NOTE_MAX_CHARS)
    note_html = models.TextField(blank=True, editable=False)
    resume_seconds = models.PositiveIntegerField(null=True, blank=True)
    personal_seconds = models.PositiveIntegerField(
        "my length", null=True, blank=True, help_text="The talk's length, as the person knows it"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    tags = TaggableManager(through="EntryTag", blank=True, verbose_name="my tags")

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "entries"
        constraints = [
            models.UniqueConstraint(fields=["user", "talk"], name="entry_unique_user_talk"),
            # Two tabs reordering at once must never leave two talks in one place.
            models.UniqueConstraint(
                fields=["user", "position"],
                condition=Q(position__isnull=False),
                name="entry_unique_queue_position",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="entry_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(personal_seconds__isnull=True) | Q(personal_seconds__gt=0),
                name="entry_personal_length_positive",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["", "queued", "watching", "watched", "skipped"]),
                name="entry_status_known",
            ),
        ]
        indexes = [
            # The queue and the catalog's status filter: WHERE user_id=? AND status IN (...)
            # ORDER BY position.
            models.Index(fields=["user", "status", "position"], name="entry_user_status_position"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.talk}"

    def save(self, *args, **kwargs) -> None:
        self.note_html = markup.render_note(self.note, self.talk.link_at)
        super().save(*args, **kwargs)

    @property
    def my_tags(self) -> list:
        """The person's tags by name: prefetched by with_tags(), else one query."""
        return linked_tags(getattr(self, "tag_list", None), self.tag_links)

    @property
    def in_queue(self) -> bool:
        return self.status in self.QUEUE_STATUSES

    @property
    def resume_url(self) -> str:
        """The host's page at the saved second (exports, and the talk page's own link out)."""
        return self.talk.link_at(self.resume_seconds)

    @property
    def play_url(self) -> str:
        """Our player, which starts where the person stopped; the host when it cannot."""
        if self.talk.plays_here:
            return self.talk.play_at()  # the talk page's player starts at the saved second
        return self.resume_url

    def read_tags_and_viewings(self) -> None:
        """What with_tags().with_viewings() read, for a record already in hand: 2 queries."""
        models.prefetch_related_objects([self], entry_tags(), VIEWINGS)

    def set_rating(self, rating: int | None) -> None:
        """Rate the talk; a watched talk's latest viewing keeps the rating too. Both or
        neither: one transaction, on PostgreSQL one statement."""
        self.rating = rating
        if connection.vendor == "postgresql":
            # One round trip where BEGIN, two UPDATEs and COMMIT took four, with the
            # record's row locked across them (the rate action's p95 at 4 connections).
            self.updated_at = timezone.now()
            sql = RATE_SQL.format(entry=Entry._meta.db_table, viewing=Viewing._meta.db_table)
            params = {"rating": rating, "now": self.updated_at, "id": self.pk,
                      "watched": Entry.Status.WATCHED.value}  # fmt: skip
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
            return
        with transaction.atomic():
            self.save(update_fields=["rating", "updated_at"])
            if self.status == Entry.Status.WATCHED:
                latest = self.viewings.order_by("-watched_on", "-pk").values("pk")[:1]
                Viewing.objects.filter(pk__in=models.Subquery(latest)).update(rating=rating)

    @property
    def watched_line(self) -> str:
        """ "Watched 27 Nov (and 2 more times)", from viewings prefetched newest first."""
        viewings = self.viewings.all()
        if not viewings:
            return ""
        day = viewings[0].watched_on
        line = f"Watched {day.day} {day:%b %Y}"
        if len(viewings) > 1:
            more = len(viewings) - 1
            line += f" (and {more} more time{'s' if more > 1 else ''})"
        return line

    def is_empty(self) -> bool:
        """Nothing here a person would miss if the record went away."""
        return (
            self.status in ("", Entry.Status.QUEUED)
            and self.rating is None
            and not self.note
            and self.personal_seconds is None
            and not self.tags.exists()
            and not self.viewings.exists()
        )


# Entry.set_rating on PostgreSQL: the record, and its latest viewing when it is watched
# (as the record says in the same statement), in one statement.
RATE_SQL = """
WITH rated AS (
    UPDATE {entry} SET rating = %(rating)s, updated_at = %(now)s WHERE id = %(id)s
    RETURNING status
)
UPDATE {viewing} SET rating = %(rating)s
WHERE id = (SELECT id FROM {viewing} WHERE entry_id = %(id)s
            ORDER BY watched_on DESC, id DESC LIMIT 1)
  AND EXISTS (SELECT FROM rated WHERE status = %(watched)s)
"""


class ViewingQuerySet(models.QuerySet):
    def for_user(self, user) -> "ViewingQuerySet":
        return self.filter(entry__user=user)

    def diary(self) -> "ViewingQuerySet":
        """Newest first, each with its record and talk as the diary shows them."""
        return (
            self.select_related("entry__talk__conference")
            .defer(*(f"entry__talk__{name}" for name in Talk.PAGE_ONLY_FIELDS))
            .prefetch_related(tag_links(EntryTag, "entry__tag_links", "tag_list"))
            .order_by("-watched_on", "-pk")
        )


class Viewing(models.Model):
    """One time a person watched a talk: a rewatch adds a viewing, it never replaces one."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="viewings")
    watched_on = models.DateField()
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The rating when this viewing was the latest"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ViewingQuerySet.as_manager()

    class Meta:
        ordering = ["-watched_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="viewing_rating_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["entry", "-watched_on"], name="viewing_entry_watched_on")]

    def __str__(self) -> str:
        return f"{self.entry} on {self.watched_on}"

    @property
    def rating_shown(self) -> int | None:
        """Its own rating; a viewing from before ratings were kept per viewing shows the
        record's. Needs entry loaded."""
        return self.rating or self.entry.rating


class EntryTag(TaggedItemBase):
    """A person's own tag on their record of a talk: never shown to anyone else."""

    content_object = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="tag_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="entrytag_unique"),
        ]


VIEWINGS = "viewings"


def entry_tags():
    return tag_links(EntryTag, "tag_links", "tag_list")


def create_profile(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        Profile.objects.get_or_create(user=instance)


models.signals.post_save.connect(create_profile, sender=settings.AUTH_USER_MODEL)


class RecommendedListQuerySet(models.QuerySet):
    def for_user(self, user) -> "RecommendedListQuerySet":
        return self.filter(user=user)


class RecommendedList(models.Model):
    """Talks a person recommends, published at an unguessable link when they choose."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lists"
    )
    title = models.CharField(max_length=150)
    intro = models.TextField(blank=True, max_length=2000, help_text="Markdown")
    intro_html = models.TextField(blank=True, editable=False)
    # The token is shown to its owner; lookups go through its SHA-256 digest so
    # the database is never searched by the secret itself.
    share_token = models.CharField(max_length=64, blank=True, default="", editable=False)
    share_digest = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RecommendedListQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            token_and_digest_together("share", "list_token_and_digest_together"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.intro_html = markup.render_markdown(self.intro)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "intro" in update_fields:
            kwargs["update_fields"] = {*update_fields, "intro_html"}
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return bool(self.share_token)


class ListItem(models.Model):
    recommended_list = models.ForeignKey(
        RecommendedList, on_delete=models.CASCADE, related_name="items"
    )
    talk = models.ForeignKey(Talk, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    blurb = models.CharField(max_length=280, blank=True)
    speed_percent = models.PositiveSmallIntegerField(
        "suggested speed", choices=Profile.Speed.choices, default=Profile.Speed.X150
    )
    start_seconds = models.PositiveIntegerField("start at", null=True, blank=True)
    share_note = models.BooleanField("share my note", default=False)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommended_list", "talk"], name="listitem_unique_talk"
            ),
            models.UniqueConstraint(
                fields=["recommended_list", "position"], name="listitem_unique_position"
            ),
            speed_known("listitem_speed_known"),
        ]

    def __str__(self) -> str:
        return f"{self.recommended_list} · {self.talk}"

    @property
    def video_url(self) -> str:
        return self.talk.link_at(self.start_seconds)


class NoteRevision(models.Model):
    """A note's earlier text, kept when another tab's save replaced it unseen."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="revisions")
    text = models.TextField(max_length=NOTE_MAX_CHARS)
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-saved_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.entry} @ {self.saved_at:%Y-%m-%d %H:%M}"


def note_fingerprint(text: str) -> str:
    """Names the note text a tab started from, to notice saves it has not seen."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def minutes_field(default: int) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(default=default)


def evening_start() -> datetime.time:
    """When an evening's watching starts unless the person says: 20:00. A function, not
    a fixed time: Django's check warns of a fixed time (W161) when it runs within ten
    seconds of it, and `check --deploy` then failed for twenty seconds each day."""
    return datetime.time(20, 0)


class ViewingPlan(models.Model):
    """A person's weekly viewing time and the private calendar feed of their plan."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="viewing_plan"
    )
    monday = minutes_field(45)
    tuesday = minutes_field(45)
    wednesday = minutes_field(45)
    thursday = minutes_field(45)
    friday = minutes_field(45)
    saturday = minutes_field(120)
    sunday = minutes_field(0)
    start_time = models.TimeField("start at", default=evening_start)
    time_zone = models.CharField(max_length=64, blank=True)
    start_date = models.DateField("first day", null=True, blank=True)
    deadline = models.DateField("finish before", null=True, blank=True)
    deadline_label = models.CharField("which is", max_length=100, blank=True)
    feed_token = models.CharField(max_length=64, blank=True, default="", editable=False)
    feed_digest = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{day}__lte": 24 * 60}), name=f"plan_{day}_within_a_day"
                )
                for day in WEEKDAYS
            ),
            token_and_digest_together("feed", "plan_feed_token_and_digest_together"),
        ]

    def __str__(self) -> str:
        return f"{self.user}'s plan"

    @property
    def minutes(self) -> tuple[int, ...]:
        return tuple(getattr(self, day) for day in WEEKDAYS)


class Waiting(models.Model):
    """“Tell me when it's out”: a person waits for a talk without a recording."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    talk = models.ForeignKey(Talk, on_delete=models.CASCADE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "talk"], name="waiting_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} waits for {self.talk_id}"


class News(models.Model):
    """A talk the person queued or waited for became watchable: what "New for you"
    lists, written in the same transaction as the recording (planner.news). It is also
    the email outbox: a row with no digest is not mailed yet (planner.digests)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    talk = models.ForeignKey(Talk, on_delete=models.CASCADE)
    created_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        "Digest", null=True, blank=True, on_delete=models.SET_NULL, related_name="news"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "talk"], name="news_once"),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="news_latest")]

    def __str__(self) -> str:
        return f"{self.talk_id} for {self.user}"


class Telling(models.Model):
    """How a person is told of new recordings besides the site: the email digest (to a
    confirmed address, off until they opt in) and the private Atom feed (planner.digests)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="telling"
    )
    address = models.EmailField("email address", blank=True)
    digest_on = models.BooleanField("email me", default=False)
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When `address` was confirmed; None until it is"
    )
    feed_token = models.CharField(max_length=64, blank=True, default="", editable=False)
    feed_digest = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | ~Q(address=""),
                name="telling_confirms_an_address",
            ),
            token_and_digest_together("feed", "telling_feed_token_and_digest_together"),
        ]

    def __str__(self) -> str:
        return f"how {self.user} is told"

    @property
    def mails(self) -> bool:
        return self.digest_on and self.confirmed_at is not None


class Digest(models.Model):
    """One email listing a person's news: made (and its news tied to it) before it is
    sent, so a retry sends this same email again rather than a second digest."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    address = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    next_at = models.DateTimeField(
        null=True, blank=True, help_text="When to (try to) send it; None once sent or given up"
    )
    tries = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "-created_at"], name="digest_latest"),
            models.Index(fields=["next_at"], name="digest_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(next_at__isnull=True),
                name="digest_sent_is_done",
            ),
        ]

    def __str__(self) -> str:
        return f"digest {self.pk} to {self.address}"


class PageToken(models.Model):
    """Changes whenever any of a person's records change (database triggers from
    planner.serving.kept), but for a resume point that only moved: pages kept for them are
    keyed on it. Only the triggers write it; no
    constraint on the user, so deleting a person never races a trigger putting it back."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="page_token",
    )
    token = models.CharField(max_length=32)
    # Changes when only a resume point moved (the player's saves): see planner.serving.kept.
    positions = models.CharField(max_length=32, default="")

    def __str__(self) -> str:
        return self.token


class Session(AbstractBaseSession):
    """Django's database session, with the person it signs in as a column of its own, so
    that one query reads the session and the person (planner.serving.session_store): every
    signed-in request needs both. Deleting a person deletes their sessions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
