from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.orders.adapters.reference_data import load_reference_data
from services.orders.domain.reference import ReferenceData

NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def ref() -> ReferenceData:
    return load_reference_data()


@pytest.fixture
def now() -> datetime:
    return NOW
