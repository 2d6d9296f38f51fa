"""Publishing recommended lists at unguessable links."""

import hashlib
import hmac
import re
import secrets

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from planner import queue
from planner.models import Entry, ListItem, RecommendedList

# 32 bytes of randomness: 256 bits, far past guessing.
TOKEN_BYTES = 32
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def publish(rlist: RecommendedList) -> str:
    """Give the list a new link; any old link stops working."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    rlist.share_token, rlist.share_digest = token, _digest(token)
    rlist.published_at = timezone.now()
    rlist.save(update_fields=["share_token", "share_digest", "published_at", "updated_at"])
    return token


def unpublish(rlist: RecommendedList) -> None:
    rlist.share_token, rlist.share_digest, rlist.published_at = "", None, None
    rlist.save(update_fields=["share_token", "share_digest", "published_at", "updated_at"])


def find_published(token: str) -> RecommendedList | None:
    """The published list for a token, or None for a malformed, unknown or revoked one."""
    if not TOKEN_SHAPE.match(token):
        return None
    rlist = RecommendedList.objects.select_related("user").filter(share_digest=_digest(token))
    rlist = rlist.first()
    if rlist is None or not hmac.compare_digest(rlist.share_token, token):
        return None
    return rlist


@transaction.atomic
def add_item(rlist: RecommendedList, talk, **fields) -> ListItem:
    RecommendedList.objects.select_for_update().get(pk=rlist.pk)
    top = rlist.items.aggregate(m=Max("position"))["m"] or 0
    item, _ = ListItem.objects.get_or_create(
        recommended_list=rlist, talk=talk, defaults={"position": top + 1, **fields}
    )
    return item


@transaction.atomic
def move_item(item: ListItem, direction: str) -> None:
    RecommendedList.objects.select_for_update().get(pk=item.recommended_list_id)
    items = list(item.recommended_list.items.order_by("position"))
    index = next(i for i, it in enumerate(items) if it.pk == item.pk)
    moved = items.pop(index)
    target = {"up": max(index - 1, 0), "down": min(index + 1, len(items)), "top": 0}[direction]
    items.insert(target, moved)
    changed = [it for n, it in enumerate(items, start=1) if it.position != n]
    top = max((it.position for it in items), default=0)
    for offset, it in enumerate(changed, start=1):
        it.position = top + offset
    ListItem.objects.bulk_update(changed, ["position"])
    for n, it in enumerate(items, start=1):
        it.position = n
    ListItem.objects.bulk_update(changed, ["position"])


@transaction.atomic
def queue_all(user, rlist: RecommendedList) -> dict[str, int]:
    """Queue the list's talks for user, skipping what they queued or watched already."""
    mine = {e.talk_id: e for e in Entry.objects.filter(user=user)}
    counts = {"added": 0, "watched": 0, "queued": 0}
    for item in rlist.items.select_related("talk").order_by("position"):
        entry = mine.get(item.talk_id)
        if entry is not None and entry.status == Entry.Status.WATCHED:
            counts["watched"] += 1
        elif entry is not None and entry.in_queue:
            counts["queued"] += 1
        else:
            queue.track(user, item.talk)
            counts["added"] += 1
    return counts
