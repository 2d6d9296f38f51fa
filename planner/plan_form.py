"""The viewing plan's form: the rules of a person's weekly time, used by the plan page
and by the backup importer (planner.backup), so it sits below both (planner.forms
imports the backup reader; the reader imports this)."""

import zoneinfo
from functools import cache

from django import forms

from planner.models import WEEKDAYS, ViewingPlan


@cache
def time_zones() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class PlanForm(forms.ModelForm):
    """The time a person has: minutes per weekday, when to start, where, from when."""

    time_zone = forms.ChoiceField(label="Time zone", required=False)

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
        self.fields["time_zone"].choices = [("", "From this browser (else UTC)"), *time_zones()]
        for day in WEEKDAYS:
            self.fields[day].help_text = ""
            self.fields[day].widget.attrs["aria-describedby"] = "minutes-help"

    def clean(self):
        data = super().clean()
        if not any(day in self.errors for day in WEEKDAYS) and not any(
            data.get(day) for day in WEEKDAYS
        ):
            raise forms.ValidationError(
                "Give at least one day some minutes: with none, the queue never ends."
            )
        return data
