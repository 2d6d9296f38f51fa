import re
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.models import User
from django.core.validators import RegexValidator
from django.urls import Resolver404, resolve
from django.utils import timezone

from planner import queue
from planner.backup import BackupError, parse_backup
from planner.lengths import LENGTH_CHOICES
from planner.markup import format_clock, parse_clock
from planner.models import (
    NOTE_MAX_CHARS,
    Entry,
    ListItem,
    Profile,
    RecommendedList,
    Telling,
)
from planner.plan_form import PlanForm, time_zones  # noqa: F401 (the forms' one door)
from sessions import video
from sessions.models import Conference, Talk
from sessions.readers.common import MAX_BYTES as MAX_IMPORT_BYTES
from sessions.writer import FOUND_NAME, FOUND_SLUG


class SignInForm(AuthenticationForm):
    """Django's sign-in, saying how many tries are left before sign-in pauses (django-axes
    counts them per account and address; the failure just made is counted already)."""

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError as error:
            if error.code != "invalid_login" or self.request is None:
                raise
            from axes.handlers.proxy import AxesProxyHandler

            username = self.cleaned_data.get("username", "")
            failures = AxesProxyHandler.get_failures(self.request, {"username": username})
            left = settings.AXES_FAILURE_LIMIT - failures
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            message = "Wrong username or password (both are case-sensitive)."
            if 0 < left < settings.AXES_FAILURE_LIMIT:
                message += (
                    f" {left} {'try' if left == 1 else 'tries'} left, then sign-in for this "
                    f"account pauses for {minutes} minutes."
                )
            raise forms.ValidationError(message, code="invalid_login") from error


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        label="Email",
        help_text="Only used to reset a forgotten password.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The rules once, in plain words, instead of Django's list under both fields.
        self.fields["password1"].help_text = (
            "At least 8 characters, not only digits, not a common password and not like "
            "your username or email."
        )
        self.fields["password2"].help_text = ""


class ClockField(forms.CharField):
    """A time into a video or a length, typed as mm:ss or h:mm:ss; cleans to seconds."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update(
            {"inputmode": "numeric", "placeholder": "mm:ss", "pattern": r"(\d{1,3}:)?\d{1,2}:\d{2}"}
        )

    def clean(self, value):
        text = super().clean(value)
        if text in self.empty_values:
            return None
        seconds = parse_clock(text)
        if seconds is None:
            raise forms.ValidationError(
                "Enter a time as mm:ss or h:mm:ss, for example 12:34 or 1:02:03.",
                code="invalid_clock",
            )
        return seconds


class TrackForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in Entry.Status if s.value], initial="queued"
    )


class UndoForm(forms.Form):
    token = forms.CharField(max_length=500)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_token(self):
        found = queue.read_undo_token(self.user, self.cleaned_data["token"])
        if found is None:
            raise forms.ValidationError(
                "This Undo has expired: change the status on the talk page."
            )
        return found


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=[(s.value, s.label) for s in Entry.Status if s.value],
        widget=forms.RadioSelect,
    )
    resume = ClockField(
        label="Resume at", help_text="Where you stopped, as mm:ss or h:mm:ss (while watching)."
    )
    watched_on = forms.DateField(
        label="Watched on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Today if left empty.",
    )

    def clean_watched_on(self):
        day = self.cleaned_data["watched_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError("That date is in the future.")
        return day


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="My rating",
        choices=[("", "No rating"), *[(n, f"{n} star{'s' if n > 1 else ''}") for n in range(1, 6)]],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label="My notes",
        required=False,
        strip=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Markdown. Start a line with a time like 12:34 to link to that moment.",
    )
    base = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    # A transcript passage's Quote button (without JavaScript it submits this form).
    quote = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


TAG_NAME = RegexValidator(
    r"^[\w][\w .+#-]*$", "Use letters, digits, spaces and . + # - only, starting with a letter."
)


class TagForm(forms.Form):
    name = forms.CharField(label="Add a tag", max_length=50, validators=[TAG_NAME])

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split()).lower()


class LengthForm(forms.Form):
    length = ClockField(
        label="Length at 1x",
        help_text="As h:mm:ss, from the video. Leave empty to use the estimate.",
    )

    def clean_length(self):
        seconds = self.cleaned_data["length"]
        if seconds is not None and seconds == 0:
            raise forms.ValidationError("A talk is longer than 0:00.")
        return seconds


class MoveForm(forms.Form):
    direction = forms.ChoiceField(
        choices=[("up", "Move up"), ("down", "Move down"), ("top", "Move to top"),
                 ("bottom", "Move to bottom")]
    )  # fmt: skip


class ReorderForm(forms.Form):
    order = forms.CharField(max_length=20_000)

    def clean_order(self) -> list[int]:
        parts = [p for p in self.cleaned_data["order"].replace(" ", "").split(",") if p]
        if not parts or not all(p.isascii() and p.isdigit() and len(p) < 19 for p in parts):
            raise forms.ValidationError("The new order must be a list of queue item ids.")
        return [int(p) for p in parts]


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["speed_percent", "remote_images"]
        widgets = {"speed_percent": forms.RadioSelect}
        help_texts = {"speed_percent": "Every length is shown at this speed, with 1x beside it."}


class PlanFilterForm(forms.Form):
    """Filters for the catalog and the queue; everything lives in the URL."""

    sort = forms.ChoiceField(
        label="Order",
        required=False,
        choices=[
            ("", "As the conference lists them"),
            ("date", "Newest first"),
            ("length", "Shortest first"),
            ("watched", "Most watched here"),
            ("queued", "Most queued here"),
        ],
    )
    length = forms.ChoiceField(label="Length at your speed", required=False, choices=LENGTH_CHOICES)
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Title, speaker, outline or transcript"}
        ),
    )
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "Any kind"), *Talk.Kind.choices]
    )
    topic = forms.ChoiceField(label="Topic", required=False)
    conference = forms.ChoiceField(label="Conference", required=False)
    year = forms.ChoiceField(label="Year", required=False)
    track = forms.ChoiceField(label="Track", required=False)
    language = forms.ChoiceField(label="Language", required=False)
    video = forms.ChoiceField(
        label="Video",
        required=False,
        choices=[("", "With or without"), ("yes", "Has a video"), ("no", "No recording yet")],
    )
    transcript = forms.ChoiceField(
        label="Transcript",
        required=False,
        choices=[("", "With or without"), ("yes", "Has a transcript")],
    )
    status = forms.ChoiceField(label="Status", required=False)
    tag = forms.ChoiceField(label="My tag", required=False)
    min_rating = forms.TypedChoiceField(
        label="Rating",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any rating"), *[(n, f"{n}+ stars") for n in range(1, 6)]],
    )

    STATUS_CHOICES = [
        ("", "Any status"),
        ("planned", "In my queue"),
        ("queued", "Queued"),
        ("watching", "Watching"),
        ("watched", "Watched"),
        ("skipped", "Skipped"),
        ("untracked", "Not in my plan"),
    ]

    FACETS = {
        "conference": "All conferences",
        "year": "Any year",
        "track": "All tracks",
        "language": "Any language",
    }

    MAIN = ("q", "length", "sort")  # beside the search box; the rest under "More filters"

    def __init__(self, data, *, topics, tags, signed_in: bool, statuses=None, facets=None,
                 sortable: bool = True):  # fmt: skip
        super().__init__(data)
        self.topics = topics  # (slug, name): a search word that names one finds its talks
        if not sortable:
            del self.fields["sort"]
        self.fields["topic"].choices = [("", "All topics"), *topics]
        facets = facets or {}
        for name, everything in self.FACETS.items():
            if facets.get(name):
                self.fields[name].choices = [("", everything), *facets[name]]
            else:  # one conference, one language: nothing to choose
                del self.fields[name]
        if "kind" in facets:  # the catalog offers only the kinds it has
            if facets["kind"]:
                self.fields["kind"].choices = [("", "Any kind"), *facets["kind"]]
            else:
                del self.fields["kind"]
        for name in ("video", "transcript"):  # all alike: nothing to choose
            if facets.get(name) is False:
                del self.fields[name]
        self.fields["tag"].choices = [("", "All my tags"), *[(t, t) for t in tags]]
        self.fields["status"].choices = statuses or self.STATUS_CHOICES
        if not signed_in:
            for name in ("status", "tag", "min_rating"):
                del self.fields[name]

    @property
    def active(self) -> bool:
        return self.is_valid() and any(v not in (None, "") for v in self.cleaned_data.values())

    @property
    def more_active(self) -> bool:
        """A filter under "More filters" is set (so the details start open)."""
        return bool(self.errors) or any(
            self[name].value() for name in self.fields if name not in self.MAIN
        )

    def main_choices(self) -> list:
        """Length and order, beside the search box."""
        return [self[name] for name in self.MAIN[1:] if name in self.fields]


class ListForm(forms.ModelForm):
    class Meta:
        model = RecommendedList
        fields = ["title", "intro"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"intro": "A few words for the people you share this with. Markdown."}


class ListItemForm(forms.ModelForm):
    start = ClockField(label="Start at", help_text="Optional: open the video at this time.")

    class Meta:
        model = ListItem
        fields = ["blurb", "speed_percent", "share_note"]
        labels = {"blurb": "Why watch it"}
        help_texts = {"blurb": "One line, up to 280 characters."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "start" not in self.initial:
            self.initial["start"] = format_clock(self.instance.start_seconds)

    def save(self, commit: bool = True):
        self.instance.start_seconds = self.cleaned_data["start"]
        return super().save(commit)

    def save_fields(self) -> ListItem:
        """Write only the fields this form edits: a move in another request keeps its place."""
        item = self.save(commit=False)
        item.save(update_fields=[*self.Meta.fields, "start_seconds"])
        return item


class AddListItemForm(forms.Form):
    talk = forms.ModelChoiceField(
        label="Add a talk",
        queryset=Talk.objects.none(),
        empty_label="Choose a talk you watched or planned",
    )

    def __init__(self, *args, user, rlist, **kwargs):
        super().__init__(*args, **kwargs)
        # Titles only: a person may have hundreds of talks, and the menu shows no more.
        # Talks on the list already are not offered (a stale page's choice is refused).
        self.fields["talk"].queryset = (
            Talk.objects.filter(
                entries__in=Entry.objects.filter(user=user).exclude(status=Entry.Status.SKIPPED)
            )
            .exclude(pk__in=rlist.items.values("talk_id"))
            .only("pk", "title")
            .order_by("title")
        )
        self.fields["talk"].error_messages["invalid_choice"] = (
            "That talk is on this list already, or is not one you watched or planned."
        )


class ToListForm(forms.Form):
    """Put a talk, any talk, on one of the person's lists, or on a new one."""

    rlist = forms.ModelChoiceField(
        label="List", queryset=RecommendedList.objects.none(), required=False,
        empty_label="Choose a list",
    )  # fmt: skip
    title = forms.CharField(
        label="Or a new list",
        required=False,
        max_length=RecommendedList._meta.get_field("title").max_length,
        widget=forms.TextInput(attrs={"placeholder": "Its title"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rlist"].queryset = RecommendedList.objects.for_user(user).only("pk", "title")
        self.fields["rlist"].error_messages["invalid_choice"] = "That list is gone; choose another."
        if not self.fields["rlist"].queryset.exists():  # nothing to choose: a new one it is
            del self.fields["rlist"]
            self.fields["title"].label = "A new list"

    def clean(self):
        data = super().clean()
        if not data.get("title", "").strip() and not data.get("rlist"):
            raise forms.ValidationError("Choose a list, or give a new one a title.")
        return data


class TranscriptForm(forms.Form):
    """Staff: a transcript file for a talk (sessions.readers.transcripts reads it)."""

    file = forms.FileField(
        label="Transcript file",
        help_text="WebVTT (.vtt), SubRip (.srt), WWDC or RubyEvents JSON",
        widget=forms.ClearableFileInput(attrs={"accept": ".vtt,.srt,.json"}),
    )
    language = forms.CharField(
        label="Language",
        required=False,
        max_length=20,
        help_text="A code such as en or de; empty: what the file says.",
    )

    def clean_file(self):
        from sessions.readers.transcripts import MAX_BYTES, READERS

        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"Larger than {MAX_BYTES // 1024 // 1024} MB.")
        if "." + upload.name.rsplit(".", 1)[-1].lower() not in READERS:
            raise forms.ValidationError("Not a .vtt, .srt or .json file.")
        return upload


MAX_BACKUP_BYTES = 5 * 1024 * 1024


class BackupForm(forms.Form):
    file = forms.FileField(label="Backup file (.json)")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BACKUP_BYTES:
            raise forms.ValidationError(
                "The file is larger than 5 MB; that is not one of our backups."
            )
        try:
            self.cleaned_backup = parse_backup(upload.read())
        except BackupError as exc:
            raise forms.ValidationError(f"Nothing was imported: {exc}.") from exc
        return upload


class SourceForm(forms.Form):
    """Staff's switch for a conference's automatic refresh."""

    refresh = forms.ChoiceField(choices=[("pause", "Pause"), ("resume", "Resume")])


class WaitForm(forms.Form):
    """“Tell me when it's out”, or not any more."""

    wait = forms.ChoiceField(choices=[("yes", "Tell me"), ("no", "Don't tell me")])


class TellingForm(forms.ModelForm):
    """The email digest: on or off, and where to."""

    class Meta:
        model = Telling
        fields = ["digest_on", "address"]
        labels = {"digest_on": "Email me when talks I wait for are out"}
        help_texts = {
            "digest_on": "One email a few minutes after they arrive, then at most one a day.",
            "address": "We send a link to confirm it first. Nothing is sent before you open it.",
        }

    def clean(self):
        data = super().clean()
        if data.get("digest_on") and not data.get("address"):
            self.add_error("address", "Give the address to send the emails to.")
        return data


class FeedForm(forms.Form):
    url = forms.URLField(
        label="YouTube playlist or channel",
        max_length=500,
        assume_scheme="https",
        help_text="A playlist link (youtube.com/playlist?list=…), a channel's "
        "youtube.com/channel/UC… address, or its feed (youtube.com/feeds/videos.xml?…).",
    )

    def clean_url(self) -> str:
        url = video.feed_url(self.cleaned_data["url"])
        path = urlsplit(url).path
        if "youtube.com" in url and path.startswith(("/@", "/c/", "/user/")):
            raise forms.ValidationError(
                "YouTube gives no feed for a channel's name: give its youtube.com/channel/UC… "
                "address (on the channel: About, Share channel, Copy channel ID) or a "
                "playlist link."
            )
        return url


class PlaceForm(forms.Form):
    """Staff place an upload no talk was found for: it is one of the talks still
    without a recording, or a talk of its own."""

    action = forms.ChoiceField(choices=[("attach", "Attach"), ("add", "Add as a new talk")])
    talk = forms.ModelChoiceField(
        queryset=None, required=False, label="It is the talk", empty_label="Choose a talk"
    )

    def __init__(self, *args, talks, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["talk"]
        if isinstance(talks, list):  # one list for every upload on the page
            field.queryset = Talk.objects.none()
            field.choices = [("", field.empty_label), *((t.pk, t.title) for t in talks)]
        else:
            field.queryset = talks

    def clean(self):
        data = super().clean()
        if data.get("action") == "attach" and not data.get("talk"):
            self.add_error("talk", "Choose the talk this video is.")
        return data


class ImportForm(forms.Form):
    """The staff's Add-a-conference form: a file or a URL, and what to call it."""

    url = forms.URLField(
        label="Address of the schedule or video list",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="For example a pretalx schedule.json, or https://api.media.ccc.de/public/"
        "conferences/38c3",
    )
    file = forms.FileField(
        label="Or upload a file",
        required=False,
        help_text="A writeup (.md), schedule.xml or .json, media.ccc.de, Sessionize or yt-dlp "
        "JSON; up to 20 MB. A pyvideo folder is imported with manage.py import_catalog.",
    )
    format = forms.ChoiceField(label="Format", required=False)
    title = forms.CharField(
        label="Conference name",
        required=False,
        max_length=200,
        help_text="Optional; Sessionize files carry no name of their own.",
    )

    def __init__(self, *args, formats: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = [("", "Tell from the content"), *formats.items()]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The file is larger than 20 MB.")
        return upload

    def clean(self):
        data = super().clean()
        if bool(data.get("url")) == bool(data.get("file")):
            raise forms.ValidationError("Give either an address or a file (one of the two).")
        return data


class ProgressForm(forms.Form):
    """What the player reports: where it is, and the video's length once it knows it."""

    position = forms.IntegerField(min_value=0, max_value=48 * 3600)
    duration = forms.IntegerField(min_value=1, max_value=48 * 3600, required=False)


class SpeedForm(forms.ModelForm):
    """Only the speed: the player asks whether a speed chosen there becomes the default."""

    class Meta:
        model = Profile
        fields = ["speed_percent"]


LINK = re.compile(r"https?://\S+", re.IGNORECASE)
HOSTS_WE_KNOW = "YouTube, Vimeo, media.ccc.de, PeerTube, archive.org or a video file"


def link_in(text: str) -> str:
    """The first web address in shared text ("Watch this! https://youtu.be/x"): apps
    share a link as text as often as in the url field."""
    match = LINK.search(text or "")
    return match[0].rstrip(".,;:!?)\"'»") if match else ""


class AddLinkForm(forms.Form):
    """Add a talk, step one: a link to its video (typed, shared or from the bookmarklet)."""

    url = forms.CharField(
        label="Link to the video",
        max_length=2000,
        help_text=f"From {HOSTS_WE_KNOW}.",
        widget=forms.URLInput(attrs={"placeholder": "https://youtu.be/…", "inputmode": "url"}),
    )

    def clean_url(self) -> video.Recording:
        text = self.cleaned_data["url"].strip()
        link = link_in(text) or text
        if "://" not in link:
            link = f"https://{link}"
        recording = video.recording_from_url(link)
        if recording is None:
            host = urlsplit(link).hostname or link[:60]
            raise forms.ValidationError(
                f"We can't open videos from {host} yet: give a link from {HOSTS_WE_KNOW}."
            )
        self.link = link
        return recording


class AddTalkForm(forms.Form):
    """Add a talk, step two: what the host said, as the person corrects it."""

    url = forms.CharField(max_length=2000, widget=forms.HiddenInput)
    title = forms.CharField(label="Title", max_length=300)
    speaker = forms.CharField(label="Speaker or channel", max_length=200, required=False)
    minutes = forms.IntegerField(
        label="Length in minutes",
        min_value=1,
        max_value=48 * 60,
        required=False,
        help_text="Leave empty if you don't know: the player learns it when you watch.",
    )
    conference = forms.ModelChoiceField(
        label="Conference",
        queryset=Conference.objects.exclude(slug=FOUND_SLUG).order_by("-year", "name"),
        required=False,
        empty_label=FOUND_NAME,
        help_text="Where others will find it in the catalog.",
    )
    credit = forms.BooleanField(
        label="Show that I added it", required=False, help_text="Your user name, on its page."
    )

    def clean_url(self) -> video.Recording:
        link = AddLinkForm({"url": self.cleaned_data["url"]})
        if not link.is_valid():
            raise forms.ValidationError(link.errors["url"])
        return link.cleaned_data["url"]

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError("Give the talk a title.")
        return title


class MergeForm(forms.Form):
    """Staff: the catalog's own talk that a talk someone added really is."""

    target = forms.CharField(
        label="The catalog talk it is",
        max_length=500,
        help_text="Its address on this site (or its number).",
    )

    def __init__(self, *args, source: Talk, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source

    def clean_target(self) -> Talk:
        text = self.cleaned_data["target"].strip()
        talks = Talk.objects.select_related("conference")
        target = None
        if text.isascii() and text.isdigit():
            target = talks.filter(pk=int(text)).first()
        else:
            try:
                match = resolve(urlsplit(text).path)
            except Resolver404:
                match = None
            if match is not None and match.url_name == "talk_detail":
                target = talks.filter(
                    conference__slug=match.kwargs["conference_slug"], slug=match.kwargs["slug"]
                ).first()
        if target is None:
            raise forms.ValidationError("No talk at that address.")
        if target.pk == self.source.pk:
            raise forms.ValidationError("That is this talk: give the other one.")
        return target
