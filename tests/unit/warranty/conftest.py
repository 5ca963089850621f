from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.warranty.adapters.reference_data import load_catalogue, load_policy
from services.warranty.domain.policy import Policy
from services.warranty.domain.reference import Catalogue

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture
def policy() -> Policy:
    return load_policy()
