"""The authentication backend loads a session's user with their person in one query."""

from __future__ import annotations

from django.conf import settings

from tests.factories import UserFactory
from werkplaats.auth_backend import PersonModelBackend


def test_the_user_comes_with_the_person_in_one_query(member, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = PersonModelBackend().get_user(member.pk)
        assert user.get_full_name() == member.person.name  # no query of its own


def test_a_user_without_a_person_is_named_by_the_address(db):
    staff = UserFactory(is_staff=True)
    assert PersonModelBackend().get_user(staff.pk).get_full_name() == staff.email


def test_an_inactive_or_missing_user_is_nobody(member):
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert PersonModelBackend().get_user(member.pk) is None
    assert PersonModelBackend().get_user(member.pk + 1000) is None


def test_the_backend_is_the_one_the_settings_name():
    assert "werkplaats.auth_backend.PersonModelBackend" in settings.AUTHENTICATION_BACKENDS
    assert "django.contrib.auth.backends.ModelBackend" not in settings.AUTHENTICATION_BACKENDS
