import pytest

from tests.factories import CycleFactory


@pytest.fixture
def cycle(workplace):
    return CycleFactory(workplace=workplace)
