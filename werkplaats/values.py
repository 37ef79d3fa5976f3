"""What a write service takes: the values of a row, not a form.

A service (``create_activity``, ``update_case``, ``save_cycle``...) is called with keyword
arguments only: the context (the PW, who acts, the version an edit was opened with) and one
``RowValues`` dataclass with the row's own fields, typed. The view builds it from a valid form
(``ActivityValues.of(form.cleaned_data)``); the demo seeders and the benchmark build it
directly, so they write through the same service as the view without a form.

A field left at ``KEEP`` is not written: an edit keeps the stored value (a form without that
field, such as a closed goal's form without a status), a new row gets the model's default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Final, Self

from django.db import models

from elements.tagging import TagSelection, set_tags


class Keep:
    """The marker of a value that was not given."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Final = Keep()


@dataclass(frozen=True, kw_only=True)
class RowValues:
    """The values a service writes into one row. Each subclass names, typed, the row's fields
    it takes (columns, foreign keys as rows, many-to-many fields as rows), every one defaulting
    to ``KEEP``; ``tags`` is a ``TagSelection`` (or element and aspect codes)."""

    @classmethod
    def of(cls, cleaned: Mapping[str, Any]) -> Self:
        """The values of a valid form: its cleaned data, for the names this class takes."""
        names = {field.name for field in fields(cls)}
        return cls(**{name: value for name, value in cleaned.items() if name in names})

    def given(self) -> dict[str, Any]:
        """{name: value} of the values that were given (not ``KEEP``)."""
        return {
            field.name: getattr(self, field.name)
            for field in fields(self)
            if getattr(self, field.name) is not KEEP
        }

    def write(self, row: models.Model, *, edit: bool = False, also: Iterable[str] = ()):
        """Set the given values on ``row``, save it, then its many-to-many fields and tags,
        inside the caller's transaction. An edit (``edit=True``) saves only the given columns,
        the ones named in ``also`` and the automatic timestamps, so a column another writer
        owns (a cycle's status, moved by the schedule) is never overwritten with what this
        request read."""
        given = self.given()
        tags = given.pop("tags", KEEP)
        later, columns = [], list(also)
        for name, value in given.items():
            field = row._meta.get_field(name)
            if field.many_to_many:
                later.append((field, value))
            else:
                field.save_form_data(row, value)
                columns.append(field.attname if field.is_relation else name)
        if edit:
            columns += [
                field.name
                for field in row._meta.concrete_fields
                if getattr(field, "auto_now", False)
            ]
            row.save(update_fields=columns)
        else:
            row.save()
        for field, value in later:
            field.save_form_data(row, value)
        if tags is not KEEP:
            set_tags(row, _selection(tags))
        return row


def _selection(tags) -> TagSelection:
    if isinstance(tags, TagSelection):
        return tags
    return TagSelection.from_codes(list(tags or ()))
