"""What the embedded player tells the server: progress, and a new default speed."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from planner import queue, ratelimit
from planner.forms import ProgressForm, SpeedForm
from planner.views.common import profile_of
from sessions.models import Talk

# Starting a talk the person has no record of makes one (a few queries): at most this
# many a minute per person. Saves to an existing record are limited in their UPDATE.
NEW_RECORDS_PER_MINUTE = 20


@require_POST
@login_required
def save_progress(request: HttpRequest, talk_id: int) -> HttpResponse:
    form = ProgressForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Position must be a number of seconds.", status=400)
    talk = get_object_or_404(
        Talk.objects.only("pk", "duration_seconds", "length_is_slot"), pk=talk_id
    )
    data = form.cleaned_data
    done = queue.save_progress(request.user, talk, data["position"], data["duration"])
    if done == "too soon":
        return HttpResponse("Saved a moment ago; wait a second.", status=429)
    if done == "new":
        key = f"rate:new-progress:{request.user.pk}"
        if not ratelimit.allow_key(key, NEW_RECORDS_PER_MINUTE, 60):
            return HttpResponse("Too many new talks started; wait a minute.", status=429)
        queue.start_progress(request.user, talk, data["position"], data["duration"])
    return HttpResponse(status=204)


@require_POST
@login_required
def save_speed(request: HttpRequest) -> HttpResponse:
    form = SpeedForm(request.POST, instance=profile_of(request))
    if not form.is_valid():
        return HttpResponse("Choose one of the speeds from 1x to 2x.", status=400)
    form.save()
    return HttpResponse(status=204)
