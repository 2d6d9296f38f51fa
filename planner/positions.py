"""Places in an ordered list (a person's queue, a recommended list): one rule for both.

Rows carry a `position` that a unique constraint keeps distinct within the list, so a
move is written in two steps (see write)."""

from django.db.models import Max

MOVES = ("up", "down", "top", "bottom")


def moved(items: list, pk: int, direction: str) -> list | None:
    """items in their new order once the one with this pk moves; None if it is not there."""
    index = next((i for i, item in enumerate(items) if item.pk == pk), None)
    if index is None:
        return None
    rest = items[:index] + items[index + 1 :]
    target = {
        "up": max(index - 1, 0),
        "down": min(index + 1, len(rest)),
        "top": 0,
        "bottom": len(rest),
    }[direction]
    return rest[:target] + [items[index]] + rest[target:]


def write(items: list, positions: list[int], scope) -> None:
    """Give items[i] positions[i], changing only the rows that move.

    The unique constraint is checked row by row, so moved rows first go above every
    position in `scope` (a queryset of the list's rows), then to their places.
    """
    changed = [(item, p) for item, p in zip(items, positions, strict=True) if item.position != p]
    if not changed:
        return
    model = type(changed[0][0])
    top = scope.aggregate(m=Max("position"))["m"] or 0
    for offset, (item, _) in enumerate(changed, start=1):
        item.position = top + offset
    model.objects.bulk_update([item for item, _ in changed], ["position"])
    for item, position in changed:
        item.position = position
    model.objects.bulk_update([item for item, _ in changed], ["position"])


def renumber(items: list, scope) -> None:
    """Positions 1..n in the order given."""
    write(items, list(range(1, len(items) + 1)), scope)
