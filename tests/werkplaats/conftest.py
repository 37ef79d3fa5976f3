"""Fixtures of the core's tests: a bridge-builder of ``workplace``, and a client as them."""

import pytest

from tests.factories import member_user
from werkplaats.models import Role


@pytest.fixture
def coordinator(workplace):
    """A current bridge-builder of ``workplace`` (runs its people and evaluations)."""
    return member_user(workplace, Role.BRIDGE_BUILDER)


@pytest.fixture
def manage(client, coordinator):
    """The test client, logged in as ``coordinator``."""
    client.force_login(coordinator)
    return client
