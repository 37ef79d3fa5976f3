"""Select and checkbox-list widgets for long lists of people, written in Python.

Django renders every option of a select or checkbox list through a template include; with 500
members that costs more than the rest of the page (about 80 ms a list, issue 16). These widgets
produce the same HTML as Django's own (a test compares them with ``assertHTMLEqual``), from the
same ``get_context``, with ``format_html`` instead of the template engine."""

from __future__ import annotations

from django import forms
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def html_attrs(attrs: dict) -> SafeString:
    """Django's ``attrs.html``: ``name="value"``, a bare name for True, nothing for False."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False and value is not None
        ),
    )


class FastSelect(forms.Select):
    """A select written in Python, option by option with ``escape`` (a goal page's select of
    500 members cost 15 ms through ``format_html`` and Django's option dictionaries)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        # The select's own context (name, id, required) without Django's option dictionaries.
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        chosen = set(widget["value"])
        has_selected = False

        def option(option_value, label) -> str:
            nonlocal has_selected
            option_value = "" if option_value is None else str(option_value)
            selected = not has_selected and option_value in chosen
            has_selected |= selected
            mark = " selected" if selected else ""
            return f'<option value="{escape(option_value)}"{mark}>{escape(label)}</option>'

        parts = []
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                inner = "".join(option(v, sub) for v, sub in label)
                parts.append(f'<optgroup label="{escape(option_value)}">{inner}</optgroup>')
            else:
                parts.append(option(option_value, label))
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            html_attrs(widget["attrs"]),
            mark_safe("".join(parts)),  # noqa: S308  # nosec B308 B703 - every value and label escaped above
        )


class FastCheckboxes(forms.CheckboxSelectMultiple):
    """A checkbox list written in Python, box by box with ``escape`` (Django's option
    dictionaries and ``format_html`` cost about 5 ms for the 60 people of a participant list)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        # The list's own context (name, id, class) without Django's option dictionaries.
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        chosen = set(widget["value"])
        inherited = self.build_attrs(self.attrs, attrs)  # what every box carries, as Django's
        base_id = inherited.pop("id", None)
        rest = html_attrs(inherited)
        quoted_name = escape(name)

        def box(option_value, label, index: str) -> str:
            option_value = "" if option_value is None else str(option_value)
            box_id = self.id_for_label(base_id, index) if base_id else None
            label_for = f' for="{escape(box_id)}"' if box_id else ""
            own_id = f' id="{escape(box_id)}"' if box_id else ""
            checked = " checked" if option_value in chosen else ""
            return (
                f'<div><label{label_for}><input type="{self.input_type}" name="{quoted_name}" '
                f'value="{escape(option_value)}"{rest}{own_id}{checked}> {escape(label)}'
                "</label></div>"
            )

        parts = []
        for index, (option_value, label) in enumerate(self.choices):
            if isinstance(label, (list, tuple)):
                inner = "".join(
                    box(v, sub, f"{index}_{subindex}") for subindex, (v, sub) in enumerate(label)
                )
                parts.append(f"<div><label>{escape(option_value)}</label>{inner}</div>")
            else:
                parts.append(box(option_value, label, str(index)))
        wrapper = {"id": widget["attrs"].get("id"), "class": widget["attrs"].get("class")}
        return format_html(
            "<div{}>{}</div>",
            html_attrs(wrapper),
            mark_safe("".join(parts)),  # noqa: S308  # nosec B308 B703 - every value escaped above
        )


class NameChoiceIterator(forms.models.ModelChoiceIterator):
    """A people field's choices as (pk, name) rows straight from the database: a select of 500
    members made 500 Person objects only to print their names (about 5 ms, issue 16). The
    label is the name, as ``str(person)``; validation still asks the queryset."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", "name")
