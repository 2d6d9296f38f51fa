"""New for you: the talks a person waited for that can be watched now."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from planner import news
from planner.forms import WaitForm
from planner.views.common import back, item_for, profile_of, speed_of
from sessions.models import Talk


@require_GET
@login_required
def new_for_you(request: HttpRequest) -> HttpResponse:
    speed = speed_of(profile_of(request))
    rows = [(n, item_for(n.talk, None, speed)) for n in news.latest(request.user)]
    unseen = sum(1 for n, _ in rows if n.seen_at is None)
    return render(request, "planner/new.html", {"rows": rows, "unseen": unseen})


@require_POST
@login_required
def news_seen(request: HttpRequest) -> HttpResponse:
    count = news.seen(request.user)
    said = f"Marked {count} as seen." if count else "Nothing new to mark."
    return back(request, said, "/new/")


@require_POST
@login_required
def tell_me(request: HttpRequest, talk_id: int) -> HttpResponse:
    talk = get_object_or_404(Talk.objects.select_related("conference"), pk=talk_id)
    form = WaitForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Say yes or no.", status=400, content_type="text/plain")
    on = form.cleaned_data["wait"] == "yes"
    if on and talk.video_ref:
        return back(request, f"“{talk.title}” is out already.", talk.get_absolute_url())
    news.wait(request.user, talk, on)
    said = (
        f"We'll tell you when “{talk.title}” is out: under New for you, at the top of every page."
        if on
        else f"You won't be told about “{talk.title}”."
    )
    return back(request, said, talk.get_absolute_url())
