from django import forms


class CatalogFilterForm(forms.Form):
    q = forms.CharField(
        label="Search talks",
        required=False,
        max_length=200,
        strip=True,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Title, speaker or outline text"}
        ),
    )
    topic = forms.SlugField(label="Topic", required=False, max_length=100)

    def __init__(self, *args, topics: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        # A select built from the topics that talks actually use; an unknown
        # slug in the URL is reported rather than silently showing everything.
        self.fields["topic"] = forms.ChoiceField(
            label="Topic", required=False, choices=[("", "All topics"), *topics]
        )
