"""A person's whole plan as a JSON backup, and back in: checked completely first,
then restored into an empty account or merged into a used one."""

import json
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from planner import queue
from planner.models import (
    NOTE_MAX_CHARS,
    WEEKDAYS,
    Entry,
    ListItem,
    Profile,
    RecommendedList,
    Viewing,
    ViewingPlan,
)
from planner.plan_form import PlanForm
from sessions.models import Talk

BACKUP_FORMAT = "catch-up-backup"
# 3: talks named by the source's key (any video host); 2: every viewing (rewatches);
# 1 had one "watched_on" per record. Versions 1 and 2 name talks by YouTube id.
BACKUP_VERSION = 3
READ_VERSIONS = (1, 2, 3)


def _talk_ref(talk: Talk) -> dict:
    return {
        "conference": talk.conference.slug,
        "key": talk.source_key,
        "title": talk.title,
    }


def backup(user) -> dict:
    profile = Profile.objects.get_or_create(user=user)[0]
    entries = (
        Entry.objects.for_user(user)
        .select_related("talk__conference")
        .prefetch_related("tags", "viewings")
        .order_by("position", "created_at", "pk")
    )
    lists = (
        RecommendedList.objects.for_user(user)
        .prefetch_related("items__talk__conference")
        .order_by("created_at", "pk")
    )
    return {
        "format": BACKUP_FORMAT,
        "version": BACKUP_VERSION,
        "exported_at": timezone.now().isoformat(),
        "username": user.get_username(),
        "profile": {"speed_percent": profile.speed_percent},
        "plan": _plan_data(user),
        "entries": [
            {
                "talk": _talk_ref(e.talk),
                "status": e.status,
                "position": e.position,
                "rating": e.rating,
                "note": e.note,
                "resume_seconds": e.resume_seconds,
                "viewings": [
                    {"watched_on": v.watched_on.isoformat(), "rating": v.rating}
                    for v in e.viewings.all()
                ],
                "personal_seconds": e.personal_seconds,
                "created_at": e.created_at.isoformat(),
                "tags": sorted(t.name for t in e.tags.all()),
            }
            for e in entries
        ],
        "lists": [
            {
                "title": rl.title,
                "intro": rl.intro,
                "published": rl.is_published,
                "created_at": rl.created_at.isoformat(),
                "items": [
                    {
                        "talk": _talk_ref(i.talk),
                        "position": i.position,
                        "blurb": i.blurb,
                        "speed_percent": i.speed_percent,
                        "start_seconds": i.start_seconds,
                        "share_note": i.share_note,
                    }
                    for i in sorted(rl.items.all(), key=lambda i: i.position)
                ],
            }
            for rl in lists
        ],
    }


class BackupError(ValueError):
    pass


def _plan_data(user) -> dict | None:
    """The person's weekly time (not the feed link: like shared links, it is not carried)."""
    plan = ViewingPlan.objects.filter(user=user).first()
    if plan is None:
        return None
    return {
        **{day: getattr(plan, day) for day in WEEKDAYS},
        "start_time": plan.start_time.strftime("%H:%M"),
        "time_zone": plan.time_zone,
        "start_date": plan.start_date.isoformat() if plan.start_date else None,
        "deadline": plan.deadline.isoformat() if plan.deadline else None,
        "deadline_label": plan.deadline_label,
    }


def _clean_plan(data: dict) -> dict | None:
    """The backup's plan, checked by the same form the plan page uses."""
    raw = _get(data, "plan", dict, "backup", null=True, default=None)
    if raw is None:
        return None
    form = PlanForm({k: "" if v is None else str(v) for k, v in raw.items()})
    if not form.is_valid():
        name, errors = next(iter(form.errors.items()))
        where = "plan" if name == "__all__" else f"plan: '{name}'"
        raise BackupError(f"{where}: {errors[0]}")
    return {name: form.cleaned_data[name] for name in form.Meta.fields}


def _get(data: dict, key: str, kind, where: str, *, null: bool = False, default=...):
    if key not in data:
        if default is not ...:
            return default
        raise BackupError(f"{where}: '{key}' is missing")
    value = data[key]
    if value is None and null:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BackupError(f"{where}: '{key}' has the wrong type")
    return value


def _int(data, key, where, low=0, high=None, null=True):
    value = _get(data, key, int, where, null=null, default=None)
    if value is not None and (value < low or (high is not None and value > high)):
        raise BackupError(f"{where}: '{key}' is out of range")
    return value


def _iso(data, key, where, parse, what):
    """An ISO date or date-time from the backup (parse is date/datetime.fromisoformat)."""
    value = _get(data, key, str, where, null=True, default=None)
    if value is None:
        return None
    try:
        return parse(value)
    except ValueError as exc:
        raise BackupError(f"{where}: '{key}' is not {what}") from exc


def _date(data, key, where):
    return _iso(data, key, where, date.fromisoformat, "a date")


def _datetime(data, key, where):
    return _iso(data, key, where, datetime.fromisoformat, "a date and time")


def _viewings(item: dict, where: str, version: int) -> list[dict]:
    """The days a talk was watched; a version-1 record had at most one."""
    if version == 1:
        day = _date(item, "watched_on", where)
        return [{"watched_on": day, "rating": _int(item, "rating", where, 1, 5)}] if day else []
    viewings = []
    for n, viewing in enumerate(_get(item, "viewings", list, where, default=[]), start=1):
        vwhere = f"{where}, viewing {n}"
        if not isinstance(viewing, dict):
            raise BackupError(f"{vwhere}: must be an object")
        day = _date(viewing, "watched_on", vwhere)
        if day is None:
            raise BackupError(f"{vwhere}: 'watched_on' is missing")
        viewings.append({"watched_on": day, "rating": _int(viewing, "rating", vwhere, 1, 5)})
    return viewings


def _find_talk(ref, where: str, talks: dict) -> Talk:
    if not isinstance(ref, dict):
        raise BackupError(f"{where}: 'talk' must be an object")
    key = _get(ref, "key" if "key" in ref else "video_id", str, where)
    talk = talks.get((ref.get("conference"), key)) or talks.get((None, key))
    if talk is None:
        title = ref.get("title") if isinstance(ref.get("title"), str) else key
        raise BackupError(f"{where}: the talk {title[:100]!r} is not in this catalog")
    return talk


def _talk_once(obj, where: str, talks: dict, seen: set) -> Talk:
    """The talk an object of the backup names; each talk may appear once in a group."""
    if not isinstance(obj, dict):
        raise BackupError(f"{where}: must be an object")
    talk = _find_talk(obj.get("talk"), where, talks)
    if talk.pk in seen:
        raise BackupError(f"{where}: the talk {talk.title!r} appears twice")
    seen.add(talk.pk)
    return talk


def parse_backup(raw: bytes) -> dict:
    """Check a backup file completely before anything is written; BackupError says why not."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError("this is not a JSON backup file") from exc
    if not isinstance(data, dict) or data.get("format") != BACKUP_FORMAT:
        raise BackupError("this JSON file is not a Catch-up backup")
    if data.get("version") not in READ_VERSIONS:
        raise BackupError(f"backup version {data.get('version')!r} is not supported")
    entries = _get(data, "entries", list, "backup")
    lists = _get(data, "lists", list, "backup")
    profile = _get(data, "profile", dict, "backup")
    speed = _int(profile, "speed_percent", "profile", 100, 200)
    if speed is not None and speed not in Profile.Speed.values:
        raise BackupError("profile: 'speed_percent' is not a known speed")

    talks: dict = {}
    for talk in Talk.objects.select_related("conference"):
        talks[(talk.conference.slug, talk.source_key)] = talk
        talks.setdefault((None, talk.source_key), talk)
    for talk in Talk.objects.select_related("conference").exclude(video_ref=""):
        # Older backups name talks by their YouTube id.
        talks.setdefault((talk.conference.slug, talk.video_ref), talk)
        talks.setdefault((None, talk.video_ref), talk)

    clean_entries, seen = [], set()
    statuses = {s.value for s in Entry.Status}
    for n, item in enumerate(entries, start=1):
        where = f"entry {n}"
        talk = _talk_once(item, where, talks, seen)
        status = _get(item, "status", str, where, default="")
        if status not in statuses:
            raise BackupError(f"{where}: unknown status {status[:20]!r}")
        note = _get(item, "note", str, where, default="")
        if len(note) > NOTE_MAX_CHARS or "\x00" in note:
            raise BackupError(f"{where}: the note is too long or not text")
        tags = _get(item, "tags", list, where, default=[])
        if not all(isinstance(t, str) and 0 < len(t) <= 50 and "\x00" not in t for t in tags):
            raise BackupError(f"{where}: tags must be short texts")
        personal = _int(item, "personal_seconds", where, 1)
        clean_entries.append(
            {
                "talk": talk,
                "status": status,
                "position": _int(item, "position", where, 0),
                "rating": _int(item, "rating", where, 1, 5),
                "note": note,
                "resume_seconds": _int(item, "resume_seconds", where),
                "viewings": _viewings(item, where, data["version"]),
                "personal_seconds": personal,
                "created_at": _datetime(item, "created_at", where),
                "tags": tags,
            }
        )

    clean_lists = []
    for n, rl in enumerate(lists, start=1):
        where = f"list {n}"
        if not isinstance(rl, dict):
            raise BackupError(f"{where}: must be an object")
        title = _get(rl, "title", str, where).strip()
        if not title or len(title) > 150:
            raise BackupError(f"{where}: the title must be 1 to 150 characters")
        intro = _get(rl, "intro", str, where, default="")
        if len(intro) > 2000:
            raise BackupError(f"{where}: the intro is too long")
        items, in_list = [], set()
        for m, it in enumerate(_get(rl, "items", list, where), start=1):
            iwhere = f"{where}, item {m}"
            talk = _talk_once(it, iwhere, talks, in_list)
            blurb = _get(it, "blurb", str, iwhere, default="")
            item_speed = _int(it, "speed_percent", iwhere, 100, 200, null=False) or 150
            if len(blurb) > 280 or item_speed not in Profile.Speed.values:
                raise BackupError(f"{iwhere}: blurb too long or unknown speed")
            items.append(
                {
                    "talk": talk,
                    "blurb": blurb,
                    "speed_percent": item_speed,
                    "start_seconds": _int(it, "start_seconds", iwhere),
                    "share_note": bool(_get(it, "share_note", bool, iwhere, default=False)),
                }
            )
        clean_lists.append(
            {
                "title": title,
                "intro": intro,
                "created_at": _datetime(rl, "created_at", where),
                "items": items,
            }
        )
    return {
        "speed_percent": speed,
        "plan": _clean_plan(data),
        "entries": clean_entries,
        "lists": clean_lists,
    }


@transaction.atomic
def restore(user, clean: dict) -> dict[str, int]:
    """Write a checked backup into an account.

    An empty account gets everything back as it was. Otherwise what the account
    already holds wins: a backup record only fills what the existing record
    lacks, tags are added, queued talks join the end of the queue, and a list
    whose title exists already is left alone. Published links are not carried
    over: a restored list is private until its owner publishes it again.
    """
    profile = queue.lock(user)
    existing = {e.talk_id: e for e in Entry.objects.filter(user=user)}
    empty_account = not existing and not RecommendedList.objects.filter(user=user).exists()
    if clean["speed_percent"] and (empty_account or profile.speed_percent == 150):
        profile.speed_percent = clean["speed_percent"]
        profile.save(update_fields=["speed_percent"])
    if clean.get("plan") and (empty_account or not ViewingPlan.objects.filter(user=user).exists()):
        ViewingPlan.objects.update_or_create(user=user, defaults=clean["plan"])

    counts = {"entries": 0, "merged": 0, "lists": 0}
    # The backup's queue order, continued after whatever the account has queued.
    next_position = 1 + max(
        [e.position for e in existing.values() if e.position is not None]
        + [d["position"] or 0 for d in clean["entries"]],
        default=0,
    )
    ordered = sorted(
        clean["entries"],
        key=lambda d: (d["position"] is None, d["position"] or 0),
    )
    for data in ordered:
        entry = existing.get(data["talk"].pk)
        in_queue = data["status"] in Entry.QUEUE_STATUSES
        if entry is None:
            entry = Entry(user=user, talk=data["talk"])
            for name in ("status", "rating", "note", "resume_seconds", "personal_seconds"):
                setattr(entry, name, data[name])
            entry.created_at = data["created_at"] or timezone.now()
            if in_queue and empty_account and data["position"]:
                entry.position = data["position"]  # exactly as it was
            elif in_queue:
                entry.position, next_position = next_position, next_position + 1
            entry.save()
            counts["entries"] += 1
        else:
            for name in ("rating", "resume_seconds", "personal_seconds"):
                if getattr(entry, name) is None and data[name] is not None:
                    setattr(entry, name, data[name])
            if not entry.note and data["note"]:
                entry.note = data["note"]
            if not entry.status and data["status"]:
                entry.status = data["status"]
                if in_queue:
                    entry.position, next_position = next_position, next_position + 1
            entry.save()
            counts["merged"] += 1
        if data["tags"]:
            entry.tags.add(*data["tags"])
        # Viewings are added, never replaced; a day the account has already stays as it is.
        have = set(entry.viewings.values_list("watched_on", flat=True))
        Viewing.objects.bulk_create(
            Viewing(entry=entry, watched_on=v["watched_on"], rating=v["rating"])
            for v in data["viewings"]
            if v["watched_on"] not in have
        )

    titles = set(RecommendedList.objects.filter(user=user).values_list("title", flat=True))
    for data in clean["lists"]:
        if data["title"] in titles:
            continue
        rlist = RecommendedList.objects.create(
            user=user,
            title=data["title"],
            intro=data["intro"],
            created_at=data["created_at"] or timezone.now(),
        )
        ListItem.objects.bulk_create(
            ListItem(recommended_list=rlist, position=n, **item)
            for n, item in enumerate(data["items"], start=1)
        )
        counts["lists"] += 1
    return counts
