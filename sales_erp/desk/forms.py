"""Forms on desk pages that are not admin pages look like the admin's (unfold's classes on the widgets)."""

from __future__ import annotations

from django import forms
from unfold.widgets import CHECKBOX_CLASSES, INPUT_CLASSES, SELECT_CLASSES, TEXTAREA_CLASSES


def desk_widget_style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
            classes = CHECKBOX_CLASSES
        elif isinstance(widget, forms.Select):
            classes = SELECT_CLASSES
        elif isinstance(widget, forms.Textarea):
            classes = TEXTAREA_CLASSES
        else:
            classes = INPUT_CLASSES
        widget.attrs["class"] = " ".join([*classes, widget.attrs.get("class", "")]).strip()
