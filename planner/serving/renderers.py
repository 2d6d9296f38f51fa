"""The form renderer: our field group, and the common widgets drawn in Python.

Every form on a page draws each field through Django's templates: the field group, the
widget, its attributes, each option of a radio group and the error list are a template
each, about a millisecond for the status form's radio group alone, on every talk page and
every rating's answer. Here the field group (`forms/field.html`'s markup: labels without a
trailing colon, each field in a div.field so errors sit next to their control) and the
widgets whose templates are Django's plain ones are drawn by functions that give the same
markup (tests/test_renderers.py compares them with the templates for every form we have);
any other template (a widget of its own, a form's layout) is still a template.
"""

from collections.abc import Callable

from django.forms.renderers import TemplatesSetting
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

FIELD_TEMPLATE = "forms/field.html"
WIDGETS = "django/forms/widgets/"


def _e(value) -> str:
    return conditional_escape(value)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: True names the attribute alone, False leaves it out."""
    return "".join(
        f" {_e(name)}" if value is True else f' {_e(name)}="{_e(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_e(str(widget["value"]))}"'
    return (
        f'<input type="{_e(widget["type"])}" name="{_e(widget["name"])}"{value}'
        f"{_attrs(widget['attrs'])}>"
    )


def _input_option(widget: dict) -> str:
    if not widget.get("wrap_label"):
        return _input(widget)
    target = widget["attrs"].get("id")
    label_for = f' for="{_e(target)}"' if target else ""
    return f"<label{label_for}>{_input(widget)} {_e(widget['label'])}</label>"


def _option(widget: dict) -> str:
    draw = DRAWN.get(widget["template_name"])
    if draw is None:  # an option template of its own: drawn as Django would
        raise LookupError(widget["template_name"])
    return draw({"widget": widget})


def _grouped(widget: dict, group_open: str, option: str, group_close: str) -> str:
    """The options, each in `option`, those of a named group between its open and close."""
    parts = []
    for group, options, _ in widget["optgroups"]:
        if group:
            parts.append(group_open.format(_e(group)))
        parts.extend(option.format(_option(each)) for each in options)
        if group:
            parts.append(group_close)
    return "".join(parts)


def _multiple_input(widget: dict) -> str:
    target, style = widget["attrs"].get("id"), widget["attrs"].get("class")
    target = f' id="{_e(target)}"' if target else ""
    style = f' class="{_e(style)}"' if style else ""
    options = _grouped(widget, "\n  <div><label>{}</label>", "<div>\n    {}</div>", "\n  </div>")
    return f"<div{target}{style}>{options}\n</div>"


def _select_option(widget: dict) -> str:
    return (
        f'<option value="{_e(str(widget["value"]))}"{_attrs(widget["attrs"])}>'
        f"{_e(widget['label'])}</option>"
    )


def _select(widget: dict) -> str:
    options = _grouped(widget, '\n  <optgroup label="{}">', "\n  {}", "\n  </optgroup>")
    return f'<select name="{_e(widget["name"])}"{_attrs(widget["attrs"])}>{options}\n</select>'


def _textarea(widget: dict) -> str:
    value = _e(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_e(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _errors(context: dict) -> str:
    errors = context["errors"]
    if not errors:
        return ""
    target = f' id="{_e(errors.field_id)}_error"' if errors.field_id else ""
    items = "".join(f"<li>{_e(error)}</li>" for error in errors)
    return f'<ul class="{_e(context["error_class"])}"{target}>{items}</ul>'


def _field_group(context: dict) -> str:
    field = context["field"]
    errors = field.errors
    parts = [f'<div class="field{" field-invalid" if errors else ""}">\n']
    if field.use_fieldset:
        described = field.aria_describedby
        parts.append(
            f'<fieldset aria-describedby="{_e(described)}">' if described else "<fieldset>"
        )
        if field.label:
            parts.append(f"\n<legend>{_e(field.label)}</legend>")
    elif field.label:
        parts.append(f'<label for="{_e(field.id_for_label)}">{_e(field.label)}</label>')
    if field.help_text:
        target = f' id="{_e(field.auto_id)}_helptext"' if field.auto_id else ""
        parts.append(f'\n<div class="helptext"{target}>{mark_safe(field.help_text)}</div>')
    parts.append(f"\n{_e(errors)}\n{_e(field)}")
    if field.use_fieldset:
        parts.append("</fieldset>")
    parts.append("\n</div>")
    return "".join(parts)


def _widget(draw: Callable[[dict], str]) -> Callable[[dict], str]:
    return lambda context: draw(context["widget"])


DRAWN: dict[str, Callable[[dict], str]] = {
    FIELD_TEMPLATE: _field_group,
    "django/forms/errors/list/default.html": _errors,
    "django/forms/errors/list/ul.html": _errors,
    **{
        f"{WIDGETS}{name}.html": _widget(_input)
        for name in (
            "input",
            "text",
            "email",
            "url",
            "number",
            "password",
            "date",
            "hidden",
            "checkbox",
        )
    },
    **{f"{WIDGETS}{name}.html": _widget(_multiple_input) for name in ("radio", "multiple_input")},
    **{
        f"{WIDGETS}{name}.html": _widget(_input_option) for name in ("radio_option", "input_option")
    },
    f"{WIDGETS}select.html": _widget(_select),
    f"{WIDGETS}select_option.html": _widget(_select_option),
    f"{WIDGETS}textarea.html": _widget(_textarea),
}


class FormRenderer(TemplatesSetting):
    """Django's renderer with our field group; the templates in DRAWN are drawn in Python
    (see the module docstring), any other through the template engine."""

    field_template_name = FIELD_TEMPLATE

    def render(self, template_name, context, request=None) -> SafeString:
        draw = DRAWN.get(template_name)
        if draw is not None:
            try:
                return mark_safe(draw(context))
            except LookupError:
                pass  # an option template of its own somewhere inside
        return super().render(template_name, context, request)
