from django.conf import settings
from django.db import connections, models, transaction
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from sessions import markup, search, video


class ConferenceQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug: str) -> "Conference":
        return self.get(slug=slug)


class Conference(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    source_format = models.CharField(max_length=20, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    intro = models.TextField(blank=True, help_text="Markdown")

    objects = ConferenceQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class Checked(models.Model):
    """An outside address read again on a schedule: what it last said (its validators for a
    conditional GET, a digest of what was applied), how the last tries went and when the
    next is due. Kept by sessions.refresh alone."""

    class Paused(models.TextChoices):
        NO = "", "Refreshed by itself"
        STAFF = "staff", "Paused by staff"
        FAILURES = "failures", "Paused after three months of failures"

    paused = models.CharField(max_length=10, blank=True, choices=Paused.choices)
    imported_at = models.DateTimeField(default=timezone.now)
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=64, blank=True)  # sha256 of the body last applied
    checked_at = models.DateTimeField(null=True, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField(blank=True)  # what the last successful check did, in words
    failures = models.PositiveIntegerField(default=0)  # in a row
    failing_since = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)  # why the last try failed, in words
    next_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)  # a refresh task waits for it

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(paused__in=["", "staff", "failures"]),
                name="%(class)s_paused_known",
            ),
            models.CheckConstraint(
                condition=Q(failures=0) | Q(failing_since__isnull=False),
                name="%(class)s_failures_have_a_start",
            ),
        ]


class Source(Checked):
    """How a conference imported from an address (its source_url) is kept current."""

    conference = models.OneToOneField(
        Conference, on_delete=models.CASCADE, primary_key=True, related_name="source"
    )

    class Meta(Checked.Meta):
        pass

    def __str__(self) -> str:
        return f"Source of {self.conference_id}"


class Feed(Checked):
    """A YouTube channel or playlist feed whose uploads are a conference's recordings
    (sessions.feeds): it lists only the latest 15, so it is read often while recent."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="feeds")
    url = models.URLField(max_length=500)
    title = models.CharField(max_length=200, blank=True)

    class Meta(Checked.Meta):
        constraints = [
            *Checked.Meta.constraints,
            models.UniqueConstraint(fields=["conference", "url"], name="feed_once_a_conference"),
        ]

    def __str__(self) -> str:
        return self.title or self.url


class Details(models.Model):
    """A talk's own page at its source: media.ccc.de's event document, which lists its
    video and subtitle files. The listing names its version (`listed`, the event's
    `updated_at`); sessions.details reads it again only when that changed."""

    talk = models.OneToOneField("Talk", on_delete=models.CASCADE, related_name="details")
    url = models.URLField(max_length=500)
    listed = models.CharField(max_length=100, blank=True)
    read = models.CharField(max_length=100, blank=True)  # the version last read; "" never
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "details"

    def __str__(self) -> str:
        return self.url

    @property
    def due(self) -> bool:
        return self.read != self.listed or not self.read


class FeedVideo(models.Model):
    """One upload a feed listed, and what became of it."""

    class State(models.TextChoices):
        MATCHED = "matched", "Attached to the talk of that title"
        UNMATCHED = "unmatched", "For staff to place"
        ATTACHED = "attached", "Attached by staff"
        ADDED = "added", "Added as a new talk"
        KNOWN = "known", "Already a recording in the catalog"

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="videos")
    video_id = models.CharField(max_length=11)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    published = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices)
    talk = models.ForeignKey("Talk", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["feed", "video_id"], name="feed_video_once"),
            models.CheckConstraint(
                condition=Q(state__in=["matched", "unmatched", "attached", "added", "known"]),
                name="feed_video_state_known",
            ),
        ]

    def __str__(self) -> str:
        return self.title


def tag_links(through, relation: str, to_attr: str) -> Prefetch:
    """A tagged object's link rows with their tags, by name, in one query. (taggit's
    own prefetch of `tags` builds a queryset per object: 5 ms on a page of 30.)"""
    links = through.objects.select_related("tag").order_by("tag__name")
    return Prefetch(relation, queryset=links, to_attr=to_attr)


def linked_tags(prefetched: list | None, links) -> list:
    """The tags of link rows prefetched by tag_links(), or of a query for them."""
    if prefetched is None:
        prefetched = links.select_related("tag").order_by("tag__name")
    return [link.tag for link in prefetched]


class TalkQuerySet(models.QuerySet):
    def get_by_natural_key(self, conference_slug: str, slug: str) -> "Talk":
        return self.get(conference__slug=conference_slug, slug=slug)

    def in_order(self) -> "TalkQuerySet":
        """Newest conference first, each in its writeup's order (index talk_catalog_order)."""
        return self.order_by("-conference_id", "position")

    def update(self, **kwargs) -> int:
        """QuerySet.update(); one that changes what is searched but not the words (not
        save() or the catalog writer: say, an update(title=...)) writes the words too, so
        the search follows a talk's text on every ORM path."""
        if "search_words" in kwargs or not kwargs.keys() & set(search.COLUMNS):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            pks = list(self.values_list("pk", flat=True))
            count = super().update(**kwargs)
            talks = list(Talk.objects.using(self.db).filter(pk__in=pks).only(*search.COLUMNS))
            for talk in talks:
                talk.search_words = search.talk_words(*(getattr(talk, c) for c in search.COLUMNS))
            Talk.objects.using(self.db).bulk_update(talks, ["search_words"], batch_size=500)
        return count

    def for_lists(self) -> "TalkQuerySet":
        """Without the full text a list never shows (the outline alone is kilobytes of JSON)."""
        return self.defer(*Talk.PAGE_ONLY_FIELDS)

    def with_topics(self) -> "TalkQuerySet":
        """Topic tags in one query, for `talk.topics`."""
        return self.prefetch_related(tag_links(TaggedTalk, "topic_links", "topic_list"))

    def search(self, text: str, topics=()) -> "TalkQuerySet":
        """Talks with every word of text, the last perhaps unfinished, or on topics
        (slug, name) the words name (sessions.search)."""
        condition = search.condition(connections[self.db].vendor, text, topics)
        return self.none() if condition is None else self.filter(condition)

    def said(self, text: str) -> "TalkQuerySet":
        """Talks whose transcripts say every word of text (sessions.search.said)."""
        condition = search.said(connections[self.db].vendor, text)
        return self.none() if condition is None else self.filter(condition)

    def on_topic(self, slug: str) -> "TalkQuerySet":
        # Not a join: the topic's talks as a list the page walk checks against.
        return self.filter(
            search.InList(
                TaggedTalk.objects.filter(tag__slug=slug).values("content_object"), always=False
            )
        )


class Talk(models.Model):
    class Kind(models.TextChoices):
        KEYNOTE = "keynote", "Keynote"
        BREAKOUT = "breakout", "Breakout session"
        TALK = "talk", "Talk"
        LIGHTNING = "lightning", "Lightning talk"
        WORKSHOP = "workshop", "Workshop"
        PANEL = "panel", "Panel"
        OTHER = "other", "Other session"

    # No index of their own: the unique (conference, slug) and (conference, source_key)
    # and the catalog's order index all begin with the conference, and nothing looks a
    # slug up outside its conference. Three fewer indexes to fill on an import (0019).
    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="talks", db_index=False
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, db_index=False)
    speaker_name = models.CharField(max_length=200, blank=True)
    speaker_role = models.CharField(max_length=200, blank=True)
    tagline = models.CharField(max_length=300, blank=True)
    # The first recording (Recording holds them all): what cards and links open.
    # Empty while the source has no video yet ("no recording yet").
    video_provider = models.CharField(max_length=20, choices=video.CHOICES, blank=True)
    video_ref = models.CharField(max_length=500, blank=True)
    video_since = models.DateTimeField(
        null=True, blank=True, help_text="When the talk first had a recording"
    )
    # A video file our player plays when the first recording is a page we cannot play
    # (media.ccc.de's event page: sessions.details reads its files).
    play_file = models.CharField(max_length=500, blank=True)
    # How the source names the talk (a guid, a slug, an id): re-imports match on it.
    source_key = models.CharField(max_length=200)
    source_slug = models.CharField(max_length=200, blank=True)
    track = models.CharField(max_length=100, blank=True)
    language = models.CharField(max_length=20, blank=True)
    thumbnail_url = models.URLField(max_length=500, blank=True)
    held_on = models.DateField(null=True, blank=True)
    verdict = models.TextField(blank=True, help_text="Markdown: the writer's take on the talk")
    outline = models.JSONField(
        default=list, blank=True, help_text='Nested nodes: {"text", "children", "heading"?}'
    )
    position = models.PositiveIntegerField(help_text="Order in the source writeup")
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    # The length is a schedule's slot, not the video's: shown and counted as an estimate.
    length_is_slot = models.BooleanField(default=False)

    # Derived from verdict/outline on save(): rendering Markdown on every page
    # view would cost more than the whole query, so it is done once here.
    verdict_html = models.TextField(blank=True, editable=False)
    outline_html = models.TextField(blank=True, editable=False)
    summary_html = models.TextField(blank=True, editable=False)
    outline_text = models.TextField(blank=True, editable=False)
    # The words the search finds the talk by (sessions.search.talk_words), derived with the
    # rendered text: both databases' indexes read them (migrations 0017, 0018).
    search_words = models.TextField(blank=True, editable=False)

    tags = TaggableManager(through="TaggedTalk", blank=True, verbose_name="topics")

    objects = TalkQuerySet.as_manager()

    SUMMARY_ITEMS = 3
    # Only the talk's own page shows these (the search's words, nobody); lists leave them
    # out (see for_lists()).
    PAGE_ONLY_FIELDS = ("verdict", "outline", "outline_html", "outline_text", "search_words")

    class Meta:
        ordering = ["conference", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "source_key"], name="talk_unique_source_key"
            ),
            models.CheckConstraint(
                condition=Q(video_provider="", video_ref="")
                | (~Q(video_provider="") & ~Q(video_ref="")),
                name="talk_video_whole",
            ),
            models.UniqueConstraint(
                fields=["conference", "slug"], name="talk_unique_slug_per_conference"
            ),
            models.CheckConstraint(
                condition=Q(duration_seconds__isnull=True) | Q(duration_seconds__gt=0),
                name="talk_duration_positive",
            ),
        ]
        indexes = [
            # The catalog: ORDER BY conference_id DESC, position LIMIT 30 walks this index
            # instead of sorting every talk (a sort by conference year cost 100 ms at 20,000).
            models.Index(fields=["-conference", "position"], name="talk_catalog_order"),
        ]

    def __str__(self) -> str:
        return self.title

    # What render() derives, and what it derives it from.
    RENDERED_FIELDS = ("verdict_html", "outline_html", "summary_html", "outline_text",
                       "search_words")  # fmt: skip
    RENDERED_FROM = ("verdict", "outline", "title", "speaker_name", "tagline")
    # Text no query filters, joins or sorts on: PostgreSQL gathers no statistics of it
    # after an import (sessions.bulk.analyze; 120 of ANALYZE's 250 ms at 10,000 talks).
    UNPLANNED_FIELDS = ("verdict", "outline", *RENDERED_FIELDS)

    def save(self, *args, **kwargs) -> None:
        self.render()
        fields = kwargs.get("update_fields")
        if fields is not None and set(fields) & {*self.RENDERED_FROM, *self.RENDERED_FIELDS}:
            # save(update_fields=["title"]) writes the words the search finds it by too.
            kwargs["update_fields"] = {*fields, *self.RENDERED_FIELDS}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("talk_detail", args=[self.conference.slug, self.slug])

    def natural_key(self) -> tuple[str, str]:
        return (self.conference.slug, self.slug)

    natural_key.dependencies = ["talk_sessions.conference"]

    @property
    def section_label(self) -> str:
        """Heading the catalog groups by; needs conference to be select_related. A writeup
        is written in sections by kind; a schedule mixes kinds in time order."""
        if self.conference.source_format not in ("", "writeup"):
            return self.conference.name
        return f"{self.conference.name}: {self.get_kind_display()}s"

    @property
    def topics(self) -> list:
        """Topic tags by name: prefetched by with_topics(), else one query."""
        return linked_tags(getattr(self, "topic_list", None), self.topic_links)

    @property
    def has_video(self) -> bool:
        return bool(self.video_ref)

    @property
    def watch_url(self) -> str:
        if not self.video_ref:
            return ""
        return video.watch_url(self.video_provider, self.video_ref)

    def link_at(self, seconds: int | None) -> str:
        """The video at a second ("" while there is no recording)."""
        if not self.video_ref:
            return ""
        return video.link_at(self.video_provider, self.video_ref, seconds)

    def play_at(self, seconds: int | None = None) -> str:
        """Where a Watch or Resume button goes: this talk's page with its player started
        (at `seconds`, else where the person stopped) when the video plays here; else the
        host's page at that second ("" while there is no recording)."""
        if not self.video_ref:
            return ""
        if self.plays_here:
            at = "" if seconds is None else f"={int(seconds)}"
            return f"{self.get_absolute_url()}#play{at}"
        return self.link_at(seconds)

    @property
    def play_url(self) -> str:
        return self.play_at(None)

    @property
    def plays_here(self) -> bool:
        """Our player plays it: the recording itself, or a file of it (play_file)."""
        return bool(self.video_ref) and (
            self.video_provider in video.PLAYABLE or bool(self.play_file)
        )

    @property
    def language_name(self) -> str:
        from sessions.languages import language_name

        return language_name(self.language)

    @property
    def video_label(self) -> str:
        return video.LABELS.get(self.video_provider, "")

    @property
    def thumbnail(self) -> str:
        """An image the policy allows: the source's, else the host's own, else ""."""
        if self.thumbnail_url:
            return self.thumbnail_url
        return video.thumbnail_url(self.video_provider, self.video_ref)

    def render(self) -> None:
        """Fill the derived fields: HTML and text from verdict and outline, the search's
        words from those and the title, speaker and tagline."""
        rendered = self.rendered(
            self.verdict, self.outline, (self.title, self.speaker_name, self.tagline)
        )
        for name, value in rendered.items():
            setattr(self, name, value)

    @classmethod
    def rendered(
        cls, verdict: str, outline: list[dict], named: tuple[str, str, str]
    ) -> dict[str, str]:
        """The derived fields (verdict_html, outline_html, summary_html, outline_text,
        search_words); `named` is the talk's title, speaker name and tagline."""
        summary = []
        for node in outline:
            # A group heading ("Fun facts") says little alone: show its first lines.
            summary.extend(node.get("children", [])[:2] if node.get("heading") else [node])
            if len(summary) >= cls.SUMMARY_ITEMS:
                break
        outline_html, outline_text = markup.outline_html_and_text(outline)
        return {
            "verdict_html": markup.render_block(verdict),
            "outline_html": outline_html,
            "summary_html": markup.render_outline(
                [{"text": n["text"]} for n in summary[: cls.SUMMARY_ITEMS]]
            ),
            "outline_text": outline_text,
            "search_words": search.talk_words(*named, outline_text),
        }


class TaggedTalkQuerySet(models.QuerySet):
    def get_by_natural_key(self, conference_slug: str, talk_slug: str, tag_name: str):
        return self.get(
            content_object__conference__slug=conference_slug,
            content_object__slug=talk_slug,
            tag__name=tag_name,
        )


class TaggedTalk(TaggedItemBase):
    """Topic tags of a talk, with a real foreign key (fast joins, natural keys)."""

    content_object = models.ForeignKey(Talk, on_delete=models.CASCADE, related_name="topic_links")

    objects = TaggedTalkQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="taggedtalk_unique"),
        ]

    def natural_key(self) -> tuple[str, str, str]:
        return (*self.content_object.natural_key(), self.tag.name)

    natural_key.dependencies = ["talk_sessions.talk", "taggit.tag"]


class RecordingQuerySet(models.QuerySet):
    def get_by_natural_key(self, conference_slug: str, talk_slug: str, provider, reference):
        return self.get(
            talk__conference__slug=conference_slug,
            talk__slug=talk_slug,
            provider=provider,
            reference=reference,
        )


class Recording(models.Model):
    """One video of a talk: a talk may have several (languages, hosts)."""

    talk = models.ForeignKey(Talk, on_delete=models.CASCADE, related_name="recordings")
    provider = models.CharField(max_length=20, choices=video.CHOICES)
    reference = models.CharField(max_length=500)
    language = models.CharField(max_length=20, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    # Read from the talk's own page at the source (sessions.details), not from the
    # conference's listing: a new read of the listing keeps it.
    from_details = models.BooleanField(default=False)

    objects = RecordingQuerySet.as_manager()

    class Meta:
        ordering = ["talk", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["talk", "provider", "reference"], name="recording_unique"
            ),
        ]
        indexes = [
            # "Is this video in the catalog already?", asked by every link a person adds.
            models.Index(fields=["provider", "reference"], name="recording_by_video"),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()}: {self.reference}"

    @property
    def label(self) -> str:
        label = self.get_provider_display()
        return f"{label} ({self.language})" if self.language else label

    def link_at(self, seconds: int | None = None) -> str:
        return video.link_at(self.provider, self.reference, seconds)

    def natural_key(self) -> tuple[str, str, str, str]:
        return (*self.talk.natural_key(), self.provider, self.reference)

    natural_key.dependencies = ["talk_sessions.talk"]


class FoundTalk(models.Model):
    """A talk a person added by its link (planner's Add a talk): who, and whether they
    agreed to be named on it. A table of its own, so the talk table is not rebuilt."""

    talk = models.OneToOneField(Talk, on_delete=models.CASCADE, related_name="found")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    credited = models.BooleanField(default=False, help_text="Show who added it")
    added_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.talk} (added)"


class CatalogVersion(models.Model):
    """One row whose token the database itself changes whenever talks, their topics,
    conferences or topic names change (triggers from migration 0004, so bulk imports
    and the admin alike are covered). Per-process caches of catalog listings key on
    it (sessions.listing): a change anywhere is seen by every server at once."""

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token


class Transcript(models.Model):
    """What is said in a talk's video, in one language, as passages with their seconds
    (sessions.readers.transcripts reads the files, sessions.transcripts writes them)."""

    talk = models.ForeignKey(Talk, on_delete=models.CASCADE, related_name="transcripts")
    language = models.CharField(max_length=20, blank=True)
    source = models.CharField(max_length=300, blank=True, help_text="The file it came from")
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["talk", "language"], name="transcript_one_a_language")
        ]

    def __str__(self) -> str:
        return f"{self.talk} ({self.language or 'no language'})"

    @property
    def language_name(self) -> str:
        from sessions.languages import language_name

        return language_name(self.language)


class SpokenText(models.Model):
    """All a talk's transcripts say, joined: what the catalog search reads, in a full-text
    index of its own (sessions.search.TRANSCRIPTS) whose row is the talk's id, as the
    talks' own index is. Kept by sessions.transcripts, the one writer of transcripts."""

    talk = models.OneToOneField(Talk, on_delete=models.CASCADE, primary_key=True)
    text = models.TextField()
    # Where each passage begins in the text: [[first character, start second], ...], so
    # a search finds the passage that says its words without reading the passages.
    starts = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"What {self.talk} says"


class Passage(models.Model):
    """About 30-60 seconds of a transcript, ending at a sentence's end where it can."""

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="passages")
    start_seconds = models.PositiveIntegerField()
    end_seconds = models.PositiveIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["transcript", "start_seconds", "pk"]
        indexes = [models.Index(fields=["transcript", "start_seconds"], name="passage_order")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_seconds__gte=models.F("start_seconds")),
                name="passage_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.transcript} at {self.start_seconds}s"
