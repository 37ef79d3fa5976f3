"""``id__in`` with an id outside the database's integer range matches nothing, like Django's
own ``exact``, ``gt`` and ``lt`` lookups on integer fields do (Django 5.0+), instead of
crashing on SQLite (``OverflowError``). A posted "9223372036854775808" in a multiple-choice
field becomes "not a valid choice", not a 500.

This covers integer columns (``pk__in``, ``count__in``), which is what forms look up; a
foreign key's ``__in`` (``workplace__in``) goes through Django's ``RelatedIn`` and is not
covered: no form reaches it with posted ids."""

from __future__ import annotations

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
