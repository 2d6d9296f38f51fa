"""A person's data, out and back in: writeups, CSV, the JSON backup."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from planner import backup, exports
from planner.forms import BackupForm, ProfileForm
from planner.models import Profile
from planner.views.lists import list_for_user


def download(body: str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def list_markdown(request: HttpRequest, list_id: int) -> HttpResponse:
    rlist = list_for_user(request, list_id)
    name = slugify(rlist.title) or "list"
    return download(exports.list_markdown(rlist), f"{name}.md", "text/markdown; charset=utf-8")


@require_GET
@login_required
def watched_markdown(request: HttpRequest) -> HttpResponse:
    return download(
        exports.diary_markdown(request.user), "watched.md", "text/markdown; charset=utf-8"
    )


@require_GET
@login_required
def watched_csv(request: HttpRequest) -> HttpResponse:
    return download(exports.diary_csv(request.user), "watched.csv", "text/csv; charset=utf-8")


@require_GET
@login_required
def backup_download(request: HttpRequest) -> HttpResponse:
    body = json.dumps(backup.backup(request.user), indent=2, ensure_ascii=False)
    name = f"catch-up-{slugify(request.user.get_username()) or 'backup'}.json"
    return download(body, name, "application/json")


@require_POST
@login_required
def backup_restore(request: HttpRequest) -> HttpResponse:
    form = BackupForm(request.POST, request.FILES)
    if not form.is_valid():
        profile = Profile.objects.get_or_create(user=request.user)[0]
        context = {"form": ProfileForm(instance=profile), "backup_form": form}
        return render(request, "planner/settings.html", context, status=400)
    counts = backup.restore(request.user, form.cleaned_backup)
    messages.success(
        request,
        f"Imported {counts['entries']} new talk records, merged {counts['merged']}, "
        f"added {counts['lists']} list{'s' if counts['lists'] != 1 else ''}.",
    )
    return redirect("settings")
