"""Looking things up in the reference data: an unknown region or style is a clear error with a
stable code that names what was asked (and, for a region, the regions there are); duty is
collected only where a tariff table exists for the destination.
"""

from __future__ import annotations

import pytest

from services.orders.domain.errors import UnknownRegion, UnknownStyle


def test_an_unknown_region_names_itself_and_the_known_regions(ref):
    with pytest.raises(UnknownRegion) as err:
        ref.region("XX")
    assert err.value.code == "catalogue_unknown_region"
    assert err.value.details == {"region": "XX", "known": ["EU", "UK", "US"]}
    assert "XX" in str(err.value)


def test_an_unknown_style_names_itself(ref):
    with pytest.raises(UnknownStyle) as err:
        ref.style("ZZ99")
    assert err.value.code == "catalogue_unknown_style"
    assert err.value.details == {"style": "ZZ99"}
    assert "ZZ99" in str(err.value)


def test_known_regions_and_styles_are_found(ref):
    assert ref.region("UK").home_warehouse == "UK-LON"
    assert ref.style("TC11").hs_code == "4202.32"


@pytest.mark.parametrize(("destination", "has"), [("UK", True), ("EU", True), ("US", False)])
def test_a_destination_has_a_tariff_only_if_the_tariff_table_lists_it(ref, destination, has):
    """The US has no duty rows in the reference data: prices there are before tax."""
    assert ref.has_tariff(destination) is has
