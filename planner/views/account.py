"""The diary, settings, the welcome after sign-up, sign-up and password reset."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordResetView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from planner import digests, ratelimit
from planner.forms import BackupForm, ProfileForm, SignUpForm, TellingForm
from planner.models import Viewing
from planner.serving import kept
from planner.views.common import item_for, paginate, profile_of, safe_next, speed_of


@require_GET
@login_required
@kept.page
def watched(request: HttpRequest) -> HttpResponse:
    """The diary: every viewing, newest first; a rewatch is a line of its own."""
    speed = speed_of(profile_of(request))
    page, query = paginate(request.GET, Viewing.objects.for_user(request.user).diary())
    rows, seen = [], set()
    for v in page:  # newest first: a talk's note goes with its latest viewing only
        rows.append((v, item_for(v.entry.talk, v.entry, speed), v.entry_id not in seen))
        seen.add(v.entry_id)
    return render(request, "planner/watched.html", {"page": page, "query": query, "rows": rows})


@require_http_methods(["GET", "POST"])
@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    profile = profile_of(request)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, saved_settings(form, profile))
            return redirect(safe_next(request) or "settings")
        return settings_response(request, form=form, status=400)
    return settings_response(request, form=form)


def settings_response(
    request: HttpRequest, form=None, telling_form=None, status: int = 200
) -> HttpResponse:
    """The settings page; a form sent with errors is shown as sent, the others as saved."""
    telling = digests.telling_of(request.user, save=False)
    context = {
        "form": form or ProfileForm(instance=profile_of(request)),
        "telling_form": telling_form or TellingForm(instance=telling),
        "telling": telling,
        "backup_form": BackupForm(),
    }
    return render(request, "planner/settings.html", context, status=status)


def saved_settings(form: ProfileForm, profile) -> str:
    """What was saved, named: "Saved: your speed is now 2x." """
    said = {
        "speed_percent": f"your speed is now {profile.speed_label}",
        "remote_images": "video thumbnails are " + ("on" if profile.remote_images else "off"),
    }
    changed = [said[name] for name in form.changed_data if name in said]
    if not changed:
        return f"Nothing to change: your speed is {profile.speed_label}."
    return "Saved: " + "; ".join(changed) + "."


@require_http_methods(["GET", "POST"])
@login_required
def welcome(request: HttpRequest) -> HttpResponse:
    """Right after sign-up: choose a speed, then off to the talks."""
    profile = profile_of(request)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, f"Speed set to {profile.speed_label}. Now pick some talks.")
            return redirect("catalog")
        return render(request, "planner/welcome.html", {"form": form}, status=400)
    return render(request, "planner/welcome.html", {"form": form})


@sensitive_post_parameters("password1", "password2")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("catalog")
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        if not ratelimit.allow(request, "signup", settings.SIGNUP_RATE_PER_HOUR):
            form.add_error(None, "Too many sign-ups from your address. Try again in an hour.")
            return render(request, "registration/signup.html", {"form": form}, status=429)
        if form.is_valid():
            user = form.save()
            login(request, user, backend="planner.serving.backends.ProfileModelBackend")
            return redirect(safe_next(request) or "welcome")
        return render(request, "registration/signup.html", {"form": form}, status=400)
    return render(request, "registration/signup.html", {"form": form, "next": safe_next(request)})


class ThrottledPasswordResetView(PasswordResetView):
    """Django's reset view, with a limit per client: it sends email to anyone's address."""

    def post(self, request, *args, **kwargs):
        if not ratelimit.allow(request, "password_reset", settings.RESET_RATE_PER_HOUR):
            form = self.get_form()
            form.is_valid()
            form.add_error(None, "Too many reset requests from your address. Try again in an hour.")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)
