from __future__ import annotations

import pytest

from services.warranty.adapters.reference_data import load_catalogue, load_policy
from services.warranty.domain.policy import Policy
from services.warranty.domain.reference import Catalogue


@pytest.fixture
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture
def policy() -> Policy:
    return load_policy()
