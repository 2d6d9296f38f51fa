"""Fields drawn in Python (planner.serving.renderers) give the markup the templates give,
for every form the app has: empty, filled in, and refused with errors."""

import datetime
import inspect
from pathlib import Path

import pytest
from django import forms as django_forms
from django.forms.renderers import TemplatesSetting
from django.template import engines
from django.test.html import parse_html

from planner import forms
from planner.models import RecommendedList
from planner.serving import renderers


class Templates(renderers.FormRenderer):
    """What the renderer drew before: every template through the template engine."""

    render = TemplatesSetting.render


def every_form() -> list[type]:
    return [
        cls
        for _, cls in inspect.getmembers(forms, inspect.isclass)
        if issubclass(cls, django_forms.BaseForm) and cls.__module__ == forms.__name__
    ]


def needs(user, talk) -> dict[str, dict]:
    """What the forms that need more than their data are made with."""
    return {
        "UndoForm": {"user": user},
        "AddListItemForm": {
            "user": user,
            "rlist": RecommendedList.objects.create(user=user, title="L"),
        },
        "ToListForm": {"user": user},
        "PlaceForm": {"talks": []},
        "ImportForm": {"formats": {"writeup": "Markdown writeup"}},
        "MergeForm": {"source": talk},
    }


def made(cls: type, data, given: dict):
    """A form made as its view makes it."""
    if cls is forms.PlanFilterForm:
        return cls(data, topics=[("aws", "AWS")], tags=["t"], signed_in=True)
    if cls is forms.SignInForm:
        return cls(None, data=data)
    return cls(data, **given.get(cls.__name__, {}))


FILLED = {
    "status": "watching",
    "resume": "12:34",
    "watched_on": "2026-11-02",
    "rating": "4",
    "note": "12:04 the <b>good</b> part & more",
    "speed_percent": "150",
    "q": "graviton <script>",
    "email": "a@example.com",
    "title": 'A "quoted" title',
}


@pytest.mark.parametrize("data", [None, {}, FILLED], ids=["empty", "refused", "filled"])
def test_every_field_is_drawn_as_the_templates_draw_it(alice, make_talks, data):
    given = needs(alice, make_talks(1)[0])
    ours, templates = renderers.FormRenderer(), Templates()
    compared = 0
    for cls in every_form():
        drawn = {}
        for renderer in (ours, templates):
            form = made(cls, data, given)
            form.renderer = renderer
            drawn[renderer] = [
                (
                    field,
                    str(form[field].as_field_group()),
                    str(form[field]),
                    str(form[field].errors),
                )
                for field in form.fields
            ]
        for mine, theirs in zip(drawn[ours], drawn[templates], strict=True):
            for a, b in zip(mine[1:], theirs[1:], strict=True):
                assert parse_html(a) == parse_html(b), (cls.__name__, mine[0], a, b)
                compared += 1
    assert compared > 150
    if data == {}:  # refused forms: the errors were drawn, not only empty lists
        assert any("errorlist" in row[3] for row in drawn[ours])


def test_widgets_of_their_own_are_still_drawn_by_their_templates(db):
    form = forms.TranscriptForm()
    form.renderer = renderers.FormRenderer()
    assert 'type="file"' in str(form["file"])  # ClearableFileInput: its own template


def test_no_template_of_ours_stands_in_for_one_drawn_in_python():
    """A project template with one of these names would be used by the template engine
    and ignored here: override the drawing instead."""
    ours = Path(__file__).resolve().parent.parent / "templates"
    for name in renderers.DRAWN:
        if name == renderers.FIELD_TEMPLATE:
            continue
        origin = engines["django"].engine.get_template(name).origin.name
        assert not Path(origin).is_relative_to(ours), name


def test_the_status_form_asks_the_template_engine_for_nothing(alice, monkeypatch):
    """The talk page's status form and every rating's answer: drawn without a template."""
    asked = []
    real = TemplatesSetting.render

    def counted(self, template_name, context, request=None):
        asked.append(template_name)
        return real(self, template_name, context, request)

    monkeypatch.setattr(TemplatesSetting, "render", counted)
    initial = {"status": "watching", "resume": "12:34", "watched_on": datetime.date(2026, 11, 2)}
    for form in (forms.StatusForm(initial=initial), forms.StatusForm({"status": "nonsense"})):
        for field in form:
            assert 'name="' in str(field.as_field_group())
    assert asked == []


class Grouped(django_forms.Form):
    """Choices in named groups, which no form of ours has yet."""

    CHOICES = [("Video", [("yt", "YouTube"), ("file", "A <file>")]), ("none", "None")]
    menu = django_forms.ChoiceField(choices=CHOICES, help_text="Pick <em>one</em>.")
    radios = django_forms.ChoiceField(choices=CHOICES, widget=django_forms.RadioSelect)
    boxes = django_forms.MultipleChoiceField(
        choices=CHOICES, widget=django_forms.CheckboxSelectMultiple, required=False
    )


@pytest.mark.parametrize("data", [None, {"menu": "yt", "radios": "bad"}])
def test_choices_in_groups_are_drawn_as_the_templates_draw_them(data):
    ours, templates = Grouped(data, renderer=renderers.FormRenderer()), Grouped(data)
    templates.renderer = Templates()
    for name in Grouped.base_fields:
        mine, theirs = str(ours[name].as_field_group()), str(templates[name].as_field_group())
        assert parse_html(mine) == parse_html(theirs), (name, mine, theirs)
    assert "optgroup" in str(ours["menu"]) and "<label>Video</label>" in str(ours["radios"])
