"""Read an admin change or add page's form (and its inlines) back into POST data, as a browser
would submit it unchanged."""

from __future__ import annotations

import datetime as dt


def _encode(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, (list, tuple)):
        return [str(getattr(v, "pk", v)) for v in value]
    if isinstance(value, dt.datetime):
        return [value.strftime("%Y-%m-%d"), value.strftime("%H:%M:%S")]
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(getattr(value, "pk", value))


def _form_data(form, data: dict) -> None:
    for name in form.fields:
        value = _encode(form[name].value())
        key = form.add_prefix(name)
        if value is None:
            continue
        if isinstance(value, list) and form.fields[name].widget.__class__.__name__.startswith(
            "SplitDateTime"
        ):
            data[f"{key}_0"], data[f"{key}_1"] = value
        else:
            data[key] = value
            if form.fields[name].show_hidden_initial:  # a callable default, e.g. today
                data[form.add_initial_prefix(name)] = value


def admin_post_data(response) -> dict:
    """The data the page's form would post as it stands (main form, inlines, management)."""
    data: dict = {}
    _form_data(response.context["adminform"].form, data)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        _form_data(formset.management_form, data)
        for form in formset.forms:
            _form_data(form, data)
    return data
