"""Template helpers for the Bootstrap layout: form widgets with the right classes."""

from __future__ import annotations

from django import forms, template

register = template.Library()


@register.filter
def bs(field: forms.BoundField) -> str:
    """Render a bound field's widget with Bootstrap classes (and is-invalid when it has errors)."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        css = ""
    elif isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    attrs: dict[str, str | bool] = {"class": css.strip()} if css.strip() else {}
    return field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)
