"""Forms, by concern. Forms validate; services act.

Every form field is rendered by templates/django/forms/field.html with Designsystemet's
markup; `styled` gives the widgets the design system's classes.
"""

from django import forms


class ChoiceList(forms.CheckboxSelectMultiple):
    """Checkboxes laid out as Designsystemet fields (input before its label)."""

    template_name = "forms/choice_list.html"


class RadioList(forms.RadioSelect):
    template_name = "forms/choice_list.html"


def styled(form: forms.BaseForm) -> forms.BaseForm:
    """Give every widget of a form the design system's input class."""
    for field in form.fields.values():
        widget = field.widget
        if type(widget) is forms.CheckboxSelectMultiple:
            widget.template_name = ChoiceList.template_name
        elif type(widget) is forms.RadioSelect:
            widget.template_name = RadioList.template_name
        classes = widget.attrs.get("class", "")
        if "ds-input" not in classes:
            widget.attrs["class"] = f"{classes} ds-input".strip()
    return form


class StyledFormMixin:
    """Mix into a Form so its widgets get the design system's classes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)
