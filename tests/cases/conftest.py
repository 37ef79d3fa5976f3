"""Case tests read English messages: the client asks for English, assertions run in English."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield
