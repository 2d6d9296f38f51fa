"""The viewing plan's form: the rules of a person's weekly time, used by the plan page
and by the backup importer (planner.backup), so it sits below both (planner.forms
imports the backup reader; the reader imports this)."""

import difflib
import zoneinfo
from functools import cache

from django import forms

from planner.models import WEEKDAYS, ViewingPlan


@cache
def time_zones() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


@cache
def _zones_by_key() -> tuple[dict[str, str], dict[str, list[str]]]:
    """Zone names by their lowered spelling (spaces for underscores), and by city alone."""
    by_name, by_city = {}, {}
    for name, _label in time_zones():
        by_name[name.lower().replace("_", " ")] = name
        by_city.setdefault(name.rsplit("/", 1)[-1].lower().replace("_", " "), []).append(name)
    return by_name, by_city


def time_zone_named(typed: str) -> str:
    """The zone a person typed: "Europe/Berlin", "europe/berlin", "Berlin", "new york".
    Raises ValidationError naming the closest zones when there is no such place."""
    key = " ".join(typed.replace("_", " ").split()).lower()
    by_name, by_city = _zones_by_key()
    if key in by_name:
        return by_name[key]
    cities = [n for n in by_city.get(key, []) if "/" in n]
    if cities:
        # A city under two names is an old name kept as a link to the current, longer one
        # (America/Buenos_Aires -> America/Argentina/Buenos_Aires).
        return max(cities, key=len)
    close = [
        by_name[k] for k in difflib.get_close_matches(key, list(by_name), n=3, cutoff=0.6)
    ] or [by_city[k][0] for k in difflib.get_close_matches(key, list(by_city), n=3)]
    hint = f" Did you mean {' or '.join(close[:3])}?" if close else ""
    raise forms.ValidationError(
        f"There is no time zone called “{typed[:64]}”: type a place such as Europe/Berlin or "
        f"a city such as New York.{hint}"
    )


class PlanForm(forms.ModelForm):
    """The time a person has: minutes per weekday, when to start, where, from when."""

    # A typed name, not a list of 600 choices (most of the page's weight): the page's
    # script offers the names as suggestions (plan_time_zones), the form reads any spelling.
    time_zone = forms.CharField(
        label="Time zone",
        required=False,
        max_length=64,
        help_text="A place such as Europe/Berlin, or a city. Empty: this browser's, else UTC.",
        widget=forms.TextInput(
            attrs={"list": "time-zones", "autocomplete": "off", "spellcheck": "false",
                   "placeholder": "Europe/Berlin"}
        ),
    )  # fmt: skip

    class Meta:
        model = ViewingPlan
        fields = [*WEEKDAYS, "start_time", "time_zone", "start_date", "deadline", "deadline_label"]
        labels = {day: day.capitalize() for day in WEEKDAYS}
        widgets = {
            **{
                day: forms.NumberInput(
                    attrs={"min": 0, "max": 1440, "step": 5, "inputmode": "numeric"}
                )
                for day in WEEKDAYS
            },
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "deadline": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "start_date": "Leave empty to start today.",
            "deadline": "Optional: the plan warns when it runs past this day.",
            "deadline_label": "For example: the next conference.",
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for day in WEEKDAYS:
            self.fields[day].help_text = ""
            self.fields[day].widget.attrs["aria-describedby"] = "minutes-help"

    def clean_time_zone(self) -> str:
        typed = self.cleaned_data["time_zone"].strip()
        return time_zone_named(typed) if typed else ""

    def clean(self):
        data = super().clean()
        if not any(day in self.errors for day in WEEKDAYS) and not any(
            data.get(day) for day in WEEKDAYS
        ):
            raise forms.ValidationError(
                "Give at least one day some minutes: with none, the queue never ends."
            )
        return data
