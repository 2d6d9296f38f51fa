"""Recommended lists, their public page, and a person's data exports."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from planner import exports, sharing
from planner.forms import (
    AddListItemForm,
    BackupForm,
    ListForm,
    ListItemForm,
    MoveForm,
    ProfileForm,
)
from planner.models import Entry, ListItem, Profile, RecommendedList


def _get_list_for_user(request: HttpRequest, list_id: int) -> RecommendedList:
    """The signed-in person's list, or 404 for anyone else's."""
    return get_object_or_404(RecommendedList, pk=list_id, user=request.user)


def _get_item_for_user(request: HttpRequest, list_id: int, item_id: int) -> ListItem:
    return get_object_or_404(
        ListItem.objects.select_related("recommended_list", "talk"),
        pk=item_id,
        recommended_list_id=list_id,
        recommended_list__user=request.user,
    )


def _download(body: str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
def lists_page(request: HttpRequest) -> HttpResponse:
    form = ListForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            form.instance.user = request.user
            rlist = form.save()
            messages.success(request, f"Created “{rlist.title}”. Now add some talks.")
            return redirect("list_detail", list_id=rlist.pk)
        status = 400
    else:
        status = 200
    lists = RecommendedList.objects.for_user(request.user).prefetch_related("items")
    return render(request, "planner/lists.html", {"form": form, "lists": lists}, status=status)


def _list_context(request: HttpRequest, rlist: RecommendedList, **forms) -> dict:
    items = list(rlist.items.select_related("talk__conference").order_by("position"))
    context = {
        "rlist": rlist,
        "items": [(item, ListItemForm(instance=item, prefix=f"item{item.pk}")) for item in items],
        "form": ListForm(instance=rlist),
        "add_form": AddListItemForm(user=request.user),
        "moves": [("top", "Move to top"), ("up", "Move up"), ("down", "Move down")],
        "share_url": (
            request.build_absolute_uri(f"/s/{rlist.share_token}/") if rlist.is_published else ""
        ),
    }
    context.update(forms)
    return context


@require_http_methods(["GET", "POST"])
@login_required
def list_detail(request: HttpRequest, list_id: int) -> HttpResponse:
    rlist = _get_list_for_user(request, list_id)
    if request.method == "POST":
        form = ListForm(request.POST, instance=rlist)
        if form.is_valid():
            form.save()
            messages.success(request, "List saved.")
            return redirect("list_detail", list_id=rlist.pk)
        rlist.refresh_from_db()
        return render(
            request,
            "planner/list_detail.html",
            _list_context(request, rlist, form=form),
            status=400,
        )
    return render(request, "planner/list_detail.html", _list_context(request, rlist))


@require_POST
@login_required
def list_delete(request: HttpRequest, list_id: int) -> HttpResponse:
    rlist = _get_list_for_user(request, list_id)
    rlist.delete()
    messages.success(request, f"Deleted “{rlist.title}”; its link no longer works.")
    return redirect("lists")


@require_POST
@login_required
def list_add_item(request: HttpRequest, list_id: int) -> HttpResponse:
    rlist = _get_list_for_user(request, list_id)
    form = AddListItemForm(request.POST, user=request.user)
    if not form.is_valid():
        context = _list_context(request, rlist, add_form=form)
        return render(request, "planner/list_detail.html", context, status=400)
    talk = form.cleaned_data["talk"]
    speed = Profile.objects.get_or_create(user=request.user)[0].speed_percent
    sharing.add_item(rlist, talk, speed_percent=speed)
    messages.success(request, f"Added “{talk.title}”.")
    return redirect("list_detail", list_id=rlist.pk)


@require_POST
@login_required
def list_item_update(request: HttpRequest, list_id: int, item_id: int) -> HttpResponse:
    item = _get_item_for_user(request, list_id, item_id)
    form = ListItemForm(request.POST, instance=item, prefix=f"item{item.pk}")
    if not form.is_valid():
        rlist = item.recommended_list
        context = _list_context(request, rlist)
        context["items"] = [(i, form if i.pk == item.pk else f) for i, f in context["items"]]
        return render(request, "planner/list_detail.html", context, status=400)
    form.save()
    messages.success(request, f"Saved “{item.talk.title}”.")
    return redirect(f"/lists/{list_id}/#item-{item.pk}")


@require_POST
@login_required
def list_item_move(request: HttpRequest, list_id: int, item_id: int) -> HttpResponse:
    item = _get_item_for_user(request, list_id, item_id)
    form = MoveForm(request.POST)
    if not form.is_valid() or form.cleaned_data["direction"] == "bottom":
        return HttpResponse("Unknown direction.", status=400, content_type="text/plain")
    sharing.move_item(item, form.cleaned_data["direction"])
    return redirect(f"/lists/{list_id}/#item-{item.pk}")


@require_POST
@login_required
def list_item_remove(request: HttpRequest, list_id: int, item_id: int) -> HttpResponse:
    item = _get_item_for_user(request, list_id, item_id)
    item.delete()
    messages.success(request, f"Removed “{item.talk.title}” from the list.")
    return redirect("list_detail", list_id=list_id)


@require_POST
@login_required
def list_publish(request: HttpRequest, list_id: int) -> HttpResponse:
    rlist = _get_list_for_user(request, list_id)
    was_published = rlist.is_published
    sharing.publish(rlist)
    messages.success(
        request,
        "New link made; the old one no longer works." if was_published else "Published.",
    )
    return redirect("list_detail", list_id=rlist.pk)


@require_POST
@login_required
def list_unpublish(request: HttpRequest, list_id: int) -> HttpResponse:
    rlist = _get_list_for_user(request, list_id)
    sharing.unpublish(rlist)
    messages.success(request, "The link is off: nobody can open this list now.")
    return redirect("list_detail", list_id=rlist.pk)


@require_GET
@login_required
def list_markdown(request: HttpRequest, list_id: int) -> HttpResponse:
    rlist = _get_list_for_user(request, list_id)
    name = slugify(rlist.title) or "list"
    return _download(exports.list_markdown(rlist), f"{name}.md", "text/markdown; charset=utf-8")


def _published_or_404(token: str) -> RecommendedList:
    rlist = sharing.find_published(token)
    if rlist is None:
        raise Http404("No such list")
    return rlist


@require_GET
def shared_list(request: HttpRequest, token: str) -> HttpResponse:
    rlist = _published_or_404(token)
    items = list(rlist.items.select_related("talk").order_by("position"))
    records = {
        e.talk_id: e
        for e in Entry.objects.filter(user_id=rlist.user_id, talk__in=[i.talk_id for i in items])
    }
    rows = []
    for item in items:
        entry = records.get(item.talk_id)
        rows.append(
            {
                "item": item,
                "rating": entry.rating if entry else None,
                "note_html": entry.note_html if entry and item.share_note else "",
            }
        )
    return render(
        request,
        "planner/shared_list.html",
        {"rlist": rlist, "rows": rows, "share_url": request.build_absolute_uri()},
    )


@require_POST
@login_required
def shared_list_add(request: HttpRequest, token: str) -> HttpResponse:
    rlist = _published_or_404(token)
    counts = sharing.queue_all(request.user, rlist)
    parts = [f"Added {counts['added']} talk{'s' if counts['added'] != 1 else ''} to your queue"]
    if counts["watched"]:
        parts.append(f"you had already watched {counts['watched']}")
    if counts["queued"]:
        parts.append(
            f"{counts['queued']} {'were' if counts['queued'] != 1 else 'was'} queued already"
        )
    messages.success(request, "; ".join(parts) + ".")
    return redirect("shared_list", token=token)


@require_GET
@login_required
def watched_markdown(request: HttpRequest) -> HttpResponse:
    return _download(
        exports.diary_markdown(request.user), "watched.md", "text/markdown; charset=utf-8"
    )


@require_GET
@login_required
def watched_csv(request: HttpRequest) -> HttpResponse:
    return _download(exports.diary_csv(request.user), "watched.csv", "text/csv; charset=utf-8")


@require_GET
@login_required
def backup_download(request: HttpRequest) -> HttpResponse:
    body = json.dumps(exports.backup(request.user), indent=2, ensure_ascii=False)
    name = f"catch-up-{slugify(request.user.get_username()) or 'backup'}.json"
    return _download(body, name, "application/json")


@require_POST
@login_required
def backup_restore(request: HttpRequest) -> HttpResponse:
    form = BackupForm(request.POST, request.FILES)
    if not form.is_valid():
        profile = Profile.objects.get_or_create(user=request.user)[0]
        context = {"form": ProfileForm(instance=profile), "backup_form": form}
        return render(request, "planner/settings.html", context, status=400)
    counts = exports.restore(request.user, form.cleaned_backup)
    messages.success(
        request,
        f"Imported {counts['entries']} new talk records, merged {counts['merged']}, "
        f"added {counts['lists']} list{'s' if counts['lists'] != 1 else ''}.",
    )
    return redirect("settings")
