from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from taggit.models import Tag

from sessions.forms import CatalogFilterForm
from sessions.models import Talk

PAGE_SIZE = 30


def topic_choices() -> list[tuple[str, str]]:
    """Topics in use by at least one talk. One query."""
    return list(
        Tag.objects.filter(talk_sessions_taggedtalk_items__isnull=False)
        .distinct()
        .order_by("name")
        .values_list("slug", "name")
    )


@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    form = CatalogFilterForm(request.GET, topics=topic_choices())
    talks = Talk.objects.select_related("conference").prefetch_related("tags").in_order()
    status = 200
    if form.is_valid():
        if form.cleaned_data["q"]:
            talks = talks.search(form.cleaned_data["q"])
        if form.cleaned_data["topic"]:
            talks = talks.with_topic(form.cleaned_data["topic"])
    else:
        talks = talks.none()
        status = 400
    page = Paginator(talks, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "sessions/catalog.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(
        request,
        template,
        {"form": form, "page": page, "query": query.urlencode()},
        status=status,
    )


@require_GET
def talk_detail(request: HttpRequest, conference_slug: str, slug: str) -> HttpResponse:
    talk = get_object_or_404(
        Talk.objects.select_related("conference").prefetch_related("tags"),
        conference__slug=conference_slug,
        slug=slug,
    )
    return render(request, "sessions/talk_detail.html", {"talk": talk})
