"""Publishing recommended lists at unguessable links."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from planner import positions, queue, tokens
from planner.models import Entry, ListItem, RecommendedList


def publish(rlist: RecommendedList) -> str:
    """Give the list a new link; any old link stops working."""
    token, rlist.share_digest = tokens.new()
    rlist.share_token = token
    rlist.published_at = timezone.now()
    rlist.save(update_fields=["share_token", "share_digest", "published_at", "updated_at"])
    return token


def unpublish(rlist: RecommendedList) -> None:
    rlist.share_token, rlist.share_digest, rlist.published_at = "", None, None
    rlist.save(update_fields=["share_token", "share_digest", "published_at", "updated_at"])


def find_published(token: str) -> RecommendedList | None:
    """The published list for a token, or None for a malformed, unknown or revoked one."""
    return tokens.find(RecommendedList.objects.select_related("user__page_token"), token, "share")


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
    scope = ListItem.objects.filter(recommended_list_id=item.recommended_list_id)
    order = positions.moved(list(scope.order_by("position")), item.pk, direction)
    if order is not None:
        positions.renumber(order, scope)


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
