"""Recommended lists, their public page, and a person's data exports."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
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
from planner.markup import plain_text
from planner.models import Entry, ListItem, Profile, RecommendedList, at_speed, length_of


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


MOVES = [("top", "Move to top"), ("up", "Move up"), ("down", "Move down")]


def _list_context(request: HttpRequest, rlist: RecommendedList, **forms) -> dict:
    items = list(rlist.items.select_related("talk__conference").order_by("position"))
    context = {
        "rlist": rlist,
        "items": [(item, ListItemForm(instance=item, prefix=f"item{item.pk}")) for item in items],
        "form": ListForm(instance=rlist),
        "add_form": AddListItemForm(user=request.user, rlist=rlist),
        "moves": MOVES,
        "share_url": (
            request.build_absolute_uri(f"/s/{rlist.share_token}/") if rlist.is_published else ""
        ),
    }
    context.update(forms)
    return context


def _save_typed(request: HttpRequest, rlist: RecommendedList) -> dict | None:
    """Save what the list page's one form carries, before whatever its button asks for.

    Every part that is valid is saved, even when another part is not; None when all
    of it was, else the page's context with the bound forms, so what was typed (and
    the error beside it) shows again. A POST without the page's form saves nothing.
    """
    if "title" not in request.POST and not any(k.startswith("item") for k in request.POST):
        return None
    form = None
    if "title" in request.POST:  # a copy: an invalid title must not become the page's heading
        form = ListForm(request.POST, instance=RecommendedList.objects.get(pk=rlist.pk))
    items = list(rlist.items.select_related("talk__conference").order_by("position"))
    pairs = []
    for item in items:
        prefix = f"item{item.pk}"
        typed = f"{prefix}-blurb" in request.POST  # only the talks this page showed
        pairs.append((item, ListItemForm(request.POST if typed else None, instance=item,
                                         prefix=prefix)))  # fmt: skip
    errors = []
    with transaction.atomic():
        if form is not None:
            if form.is_valid():
                # Only what the form edits: an autosave still in flight must never write
                # back a stale share token (a link switched off would come back) or position.
                form.instance.save(update_fields=["title", "intro", "updated_at"])
            errors += [(form[name].label, e) for name, es in form.errors.items() for e in es]
        for item, item_form in pairs:
            if not item_form.is_bound:
                continue
            if item_form.is_valid():
                item_form.save_fields()
            label = f"“{item.talk.title}”"
            errors += [
                (f"{label} {item_form[name].label.lower()}", e)
                for name, es in item_form.errors.items()
                for e in es
            ]
    if not errors:
        return None
    rlist.refresh_from_db()
    return _list_context(
        request, rlist, items=pairs, has_errors=True, error_summary=errors,
        **({"form": form} if form is not None else {}),
    )  # fmt: skip


def _refuse_typed(request: HttpRequest, context: dict, what: str) -> HttpResponse:
    messages.error(request, f"{what}: please correct the errors below first. Your text is kept.")
    return render(request, "planner/list_detail.html", context, status=400)


def _confirm(request: HttpRequest, rlist: RecommendedList, **text) -> HttpResponse | None:
    """The question before an action that breaks something; None once confirmed."""
    if request.POST.get("confirm") == "yes":
        return None
    saved = "title" in request.POST
    return render(request, "planner/list_confirm.html", {"rlist": rlist, "saved": saved, **text})


@require_http_methods(["GET", "POST"])
@login_required
def list_detail(request: HttpRequest, list_id: int) -> HttpResponse:
    rlist = _get_list_for_user(request, list_id)
    if request.method == "GET":
        return render(request, "planner/list_detail.html", _list_context(request, rlist))
    refused = _save_typed(request, rlist)
    if request.htmx:  # autosave: say how it went; the fields stay as the person left them
        context = refused or {"saved_at": timezone.localtime()}
        context["announce"] = "Not saved: see the errors." if refused else ""
        context["announce_in"] = "save_status"
        return render(request, "planner/list_detail.html#save_status", context,
                      status=422 if refused else 200)  # fmt: skip
    if refused:
        return _refuse_typed(request, refused, "Not saved")
    messages.success(request, "List saved.")
    return redirect("list_detail", list_id=rlist.pk)


@require_POST
@login_required
def list_delete(request: HttpRequest, list_id: int) -> HttpResponse:
    rlist = _get_list_for_user(request, list_id)
    breaks = " The shared link stops working." if rlist.is_published else ""
    question = _confirm(
        request, rlist,
        question=f"Delete “{rlist.title}”?",
        consequence=f"Its talks, blurbs and order are gone.{breaks} This cannot be undone.",
        action_label="Delete this list",
    )  # fmt: skip
    if question:
        return question
    rlist.delete()
    messages.success(request, f"Deleted “{rlist.title}”; its link no longer works.")
    return redirect("lists")


@require_POST
@login_required
def list_add_item(request: HttpRequest, list_id: int) -> HttpResponse:
    rlist = _get_list_for_user(request, list_id)
    refused = _save_typed(request, rlist)
    if refused:
        return _refuse_typed(request, refused, "No talk was added")
    form = AddListItemForm(request.POST, user=request.user, rlist=rlist)
    if not form.is_valid():
        context = _list_context(request, rlist, add_form=form)
        return render(request, "planner/list_detail.html", context, status=400)
    talk = form.cleaned_data["talk"]
    speed = Profile.objects.get_or_create(user=request.user)[0].speed_percent
    item = sharing.add_item(rlist, talk, speed_percent=speed)
    messages.success(request, f"Added “{talk.title}”.")
    return redirect(f"/lists/{list_id}/#item-{item.pk}")


@require_POST
@login_required
def list_item_update(request: HttpRequest, list_id: int, item_id: int) -> HttpResponse:
    item = _get_item_for_user(request, list_id, item_id)
    refused = _save_typed(request, item.recommended_list)
    if refused:
        return _refuse_typed(request, refused, "Not saved")
    messages.success(request, f"Saved “{item.talk.title}”.")
    return redirect(f"/lists/{list_id}/#item-{item.pk}")


@require_POST
@login_required
def list_item_move(request: HttpRequest, list_id: int, item_id: int) -> HttpResponse:
    item = _get_item_for_user(request, list_id, item_id)
    form = MoveForm(request.POST)
    if not form.is_valid() or form.cleaned_data["direction"] == "bottom":
        return HttpResponse("Unknown direction.", status=400, content_type="text/plain")
    refused = _save_typed(request, item.recommended_list)
    if refused:
        return _refuse_typed(request, refused, "Not moved")
    sharing.move_item(item, form.cleaned_data["direction"])
    return redirect(f"/lists/{list_id}/#item-{item.pk}")


@require_POST
@login_required
def list_item_remove(request: HttpRequest, list_id: int, item_id: int) -> HttpResponse:
    item = _get_item_for_user(request, list_id, item_id)
    refused = _save_typed(request, item.recommended_list)
    if refused:
        return _refuse_typed(request, refused, "Not removed")
    item.delete()
    messages.success(request, f"Removed “{item.talk.title}” from the list.")
    return redirect("list_detail", list_id=list_id)


@require_POST
@login_required
def list_publish(request: HttpRequest, list_id: int) -> HttpResponse:
    rlist = _get_list_for_user(request, list_id)
    refused = _save_typed(request, rlist)
    if refused:
        return _refuse_typed(request, refused, "The link was not changed")
    was_published = rlist.is_published
    if was_published:
        question = _confirm(
            request, rlist,
            question="Make a new link?",
            consequence="The link you shared stops working: anyone who has it sees “not found”.",
            action_label="Make a new link",
        )  # fmt: skip
        if question:
            return question
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
    refused = _save_typed(request, rlist)
    if refused:
        return _refuse_typed(request, refused, "The link was not changed")
    question = _confirm(
        request, rlist,
        question="Switch the link off?",
        consequence="Nobody can open this list by its link any more. Publishing it again "
        "makes a new link.",
        action_label="Switch the link off",
    )  # fmt: skip
    if question:
        return question
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
    items = list(rlist.items.select_related("talk__conference").order_by("position"))
    records = {
        e.talk_id: e
        for e in Entry.objects.filter(user_id=rlist.user_id, talk__in=[i.talk_id for i in items])
    }
    rows, total = [], 0
    for item in items:
        entry = records.get(item.talk_id)
        seconds, _ = length_of(item.talk, entry)
        total += at_speed(seconds, item.speed_percent)
        rows.append(
            {
                "item": item,
                "rating": entry.rating if entry else None,
                "note_html": entry.note_html if entry and item.share_note else "",
            }
        )
    intro_html = rlist.intro_html
    curator = rlist.user.get_full_name() or rlist.user.get_username()
    context = {
        "rlist": rlist,
        "rows": rows,
        "share_url": request.build_absolute_uri(),
        "intro_html": intro_html,
        "preview": plain_text(intro_html) or f"Conference talks recommended by {curator}",
        "curator": curator,
        "total_seconds": total,
    }
    return render(request, "planner/shared_list.html", context)


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
