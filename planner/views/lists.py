"""A person's recommended lists and the one-form list editor."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from planner import sharing
from planner.forms import AddListItemForm, ListForm, ListItemForm, MoveForm, ToListForm
from planner.models import ListItem, Profile, RecommendedList
from planner.views.common import back, fragment, partial_or_page, safe_next
from sessions.models import Talk


def list_for_user(request: HttpRequest, list_id: int) -> RecommendedList:
    """The signed-in person's list, or 404 for anyone else's."""
    return get_object_or_404(RecommendedList, pk=list_id, user=request.user)


def item_for_user(request: HttpRequest, list_id: int, item_id: int) -> ListItem:
    return get_object_or_404(
        ListItem.objects.select_related("recommended_list", "talk"),
        pk=item_id,
        recommended_list_id=list_id,
        recommended_list__user=request.user,
    )


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


def list_context(request: HttpRequest, rlist: RecommendedList, **forms) -> dict:
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


def save_typed(request: HttpRequest, rlist: RecommendedList) -> dict | None:
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
    return list_context(
        request, rlist, items=pairs, has_errors=True, error_summary=errors,
        **({"form": form} if form is not None else {}),
    )  # fmt: skip


def saved_first(request: HttpRequest, rlist: RecommendedList, what: str) -> HttpResponse | None:
    """Save what the page's form carries before a button's action; if part of it is
    invalid, the answer that refuses the action (`what`: "Not moved"), else None."""
    refused = save_typed(request, rlist)
    return refuse_typed(request, refused, what) if refused else None


def refuse_typed(request: HttpRequest, context: dict, what: str) -> HttpResponse:
    messages.error(request, f"{what}: please correct the errors below first. Your text is kept.")
    return render(request, "planner/list_detail.html", context, status=400)


def confirm(request: HttpRequest, rlist: RecommendedList, **text) -> HttpResponse | None:
    """The question before an action that breaks something; None once confirmed."""
    if request.POST.get("confirm") == "yes":
        return None
    saved = "title" in request.POST
    return render(request, "planner/list_confirm.html", {"rlist": rlist, "saved": saved, **text})


@require_http_methods(["GET", "POST"])
@login_required
def list_detail(request: HttpRequest, list_id: int) -> HttpResponse:
    rlist = list_for_user(request, list_id)
    if request.method == "GET":
        return render(request, "planner/list_detail.html", list_context(request, rlist))
    refused = save_typed(request, rlist)
    if request.htmx:  # autosave: say how it went; the fields stay as the person left them
        context = refused or {"saved_at": timezone.localtime()}
        context["announce"] = "Not saved: see the errors." if refused else ""
        context["announce_in"] = "save_status"
        return render(request, "planner/list_detail.html#save_status", context,
                      status=422 if refused else 200)  # fmt: skip
    if refused:
        return refuse_typed(request, refused, "Not saved")
    messages.success(request, "List saved.")
    return redirect("list_detail", list_id=rlist.pk)


@require_POST
@login_required
def list_delete(request: HttpRequest, list_id: int) -> HttpResponse:
    rlist = list_for_user(request, list_id)
    breaks = " The shared link stops working." if rlist.is_published else ""
    question = confirm(
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
    rlist = list_for_user(request, list_id)
    if refusal := saved_first(request, rlist, "No talk was added"):
        return refusal
    form = AddListItemForm(request.POST, user=request.user, rlist=rlist)
    if not form.is_valid():
        context = list_context(request, rlist, add_form=form)
        return render(request, "planner/list_detail.html", context, status=400)
    talk = form.cleaned_data["talk"]
    speed = Profile.objects.get_or_create(user=request.user)[0].speed_percent
    item = sharing.add_item(rlist, talk, speed_percent=speed)
    messages.success(request, f"Added “{talk.title}”.")
    return redirect(f"/lists/{list_id}/#item-{item.pk}")


@require_POST
@login_required
def list_item_update(request: HttpRequest, list_id: int, item_id: int) -> HttpResponse:
    item = item_for_user(request, list_id, item_id)
    if refusal := saved_first(request, item.recommended_list, "Not saved"):
        return refusal
    messages.success(request, f"Saved “{item.talk.title}”.")
    return redirect(f"/lists/{list_id}/#item-{item.pk}")


@require_POST
@login_required
def list_item_move(request: HttpRequest, list_id: int, item_id: int) -> HttpResponse:
    item = item_for_user(request, list_id, item_id)
    form = MoveForm(request.POST)
    if not form.is_valid() or form.cleaned_data["direction"] == "bottom":
        return HttpResponse("Unknown direction.", status=400, content_type="text/plain")
    if refusal := saved_first(request, item.recommended_list, "Not moved"):
        return refusal
    sharing.move_item(item, form.cleaned_data["direction"])
    return redirect(f"/lists/{list_id}/#item-{item.pk}")


@require_POST
@login_required
def list_item_remove(request: HttpRequest, list_id: int, item_id: int) -> HttpResponse:
    item = item_for_user(request, list_id, item_id)
    if refusal := saved_first(request, item.recommended_list, "Not removed"):
        return refusal
    item.delete()
    messages.success(request, f"Removed “{item.talk.title}” from the list.")
    return redirect("list_detail", list_id=list_id)


@require_POST
@login_required
def list_publish(request: HttpRequest, list_id: int) -> HttpResponse:
    rlist = list_for_user(request, list_id)
    if refusal := saved_first(request, rlist, "The link was not changed"):
        return refusal
    was_published = rlist.is_published
    if was_published:
        question = confirm(
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
    rlist = list_for_user(request, list_id)
    if refusal := saved_first(request, rlist, "The link was not changed"):
        return refusal
    question = confirm(
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


@require_http_methods(["GET", "POST"])
@login_required
def talk_to_list(request: HttpRequest, talk_id: int) -> HttpResponse:
    """Any talk onto one of the person's lists, or a new one. A page of its own without
    JavaScript; with htmx the form opens in place of the link that asked for it, and its
    answer replaces it (the page is not reloaded)."""
    talk = get_object_or_404(Talk.objects.select_related("conference"), pk=talk_id)
    # Ids of its own: two cards may have their forms open at once.
    form = ToListForm(request.POST or None, user=request.user, auto_id=f"list-{talk.pk}-%s")
    if request.method == "POST" and form.is_valid():
        title = form.cleaned_data["title"].strip()
        if title:
            rlist = RecommendedList.objects.create(user=request.user, title=title)
        else:
            rlist = form.cleaned_data["rlist"]
        there = rlist.items.filter(talk=talk).exists()
        speed = Profile.objects.get_or_create(user=request.user)[0].speed_percent
        sharing.add_item(rlist, talk, speed_percent=speed)
        message = (
            f"“{talk.title}” is on “{rlist.title}” already."
            if there
            else f"Added “{talk.title}” to “{rlist.title}”."
        )
        if not request.htmx:
            return back(request, message, talk.get_absolute_url())
        context = {"talk": talk, "rlist": rlist, "done": message}
        return fragment(request, "planner/to_list.html#to_list", context, message)
    # With htmx the form takes the link's place: its first field takes the link's focus.
    first = form.fields.get("rlist") or form.fields["title"]
    first.widget.attrs["data-replaces"] = f"to-list-link-{talk.pk}"
    context = {"talk": talk, "form": form, "next": safe_next(request) or talk.get_absolute_url()}
    template = partial_or_page(request, "planner/to_list.html", "to_list")
    return render(request, template, context, status=400 if form.errors else 200)
