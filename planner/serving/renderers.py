from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Django's renderer with our field template: labels without a trailing colon,
    each field in a div.field so errors sit next to their control."""

    field_template_name = "forms/field.html"
