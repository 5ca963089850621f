from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from services.orders.adapters.providers.fx_file import FileFxProvider
from services.orders.adapters.reference_data import (
    ReferenceDataInvalid,
    default_folder,
    load_reference_data,
)
from services.orders.domain.ports import FxProvider


def copy_data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for name in (
        "catalogue",
        "listings",
        "warehouses",
        "shipping",
        "fx",
        "tariff",
        "tax",
        "regions",
    ):
        shutil.copy(str(default_folder() / f"{name}.json"), folder / f"{name}.json")
    return folder


def edit(folder: Path, name: str, change) -> None:
    path = folder / name
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def test_packaged_data_loads(ref) -> None:
    assert set(ref.regions) == {"US", "UK", "EU"}
    assert ref.regions["UK"].currency == "GBP" and ref.regions["UK"].home_warehouse == "UK-LON"
    assert ref.styles["PY01"].restrictions["UK"] == "exotic skin: CITES permit required"
    assert ref.warehouses["US-NJ"].initial_stock["TC11"] == 18
    assert ref.duty_rate("UK", "4202.21") == Decimal("0.03")
    assert ref.tax["UK"].low_value_threshold == Decimal("135.00")
    assert ref.fx.rates["GBP"] == Decimal("0.7600") and ref.fx.as_of == date(2026, 11, 20)


def test_bad_field_names_the_file(tmp_path: Path) -> None:
    folder = copy_data(tmp_path)
    edit(folder, "tariff.json", lambda d: d["rows"][0].update(hs_code="42"))
    with pytest.raises(ReferenceDataInvalid) as err:
        load_reference_data(folder)
    assert err.value.details["file"] == "tariff.json"


def test_unknown_reference_is_caught(tmp_path: Path) -> None:
    folder = copy_data(tmp_path)
    edit(
        folder,
        "listings.json",
        lambda d: d["listings"].append({"style": "ZZ99", "region": "UK", "price": "1.00"}),
    )
    with pytest.raises(ReferenceDataInvalid) as err:
        load_reference_data(folder)
    assert any("ZZ99" in p for p in err.value.details["problems"])


async def test_fx_provider_refresh_picks_up_operator_update(tmp_path: Path) -> None:
    folder = copy_data(tmp_path)
    fx: FxProvider = FileFxProvider(folder)
    assert fx.snapshot().rates["GBP"] == Decimal("0.7600")
    edit(
        folder,
        "fx.json",
        lambda d: d.update(as_of="2026-11-23", rates={**d["rates"], "GBP": "0.7700"}),
    )
    fresh = await fx.refresh()
    assert fresh.rates["GBP"] == Decimal("0.7700") and fx.snapshot() is fresh
    assert fresh.rate("USD", "GBP").rate == Decimal("0.7854")


async def test_fx_refresh_never_goes_back_in_time(tmp_path: Path) -> None:
    folder = copy_data(tmp_path)
    fx = FileFxProvider(folder)
    edit(
        folder,
        "fx.json",
        lambda d: d.update(as_of="2026-01-01", rates={**d["rates"], "GBP": "0.9"}),
    )
    assert (await fx.refresh()).rates["GBP"] == Decimal("0.7600")


def test_each_warehouse_has_a_name_and_a_returns_address(ref) -> None:
    nj = ref.warehouses["US-NJ"]
    assert nj.name == "New Jersey, United States"
    assert nj.address.country == "US" and nj.address.lines and nj.address.postcode
    assert all(w.name and w.address.city for w in ref.warehouses.values())


@pytest.mark.parametrize(
    "change",
    [
        lambda w: w.pop("name"),
        lambda w: w.update(name=""),
        lambda w: w.pop("address"),
        lambda w: w["address"].update(lines=[]),
        lambda w: w["address"].update(country="United Kingdom"),
        lambda w: w["address"].update(postcode=""),
        lambda w: w["address"].update(state="NJ"),  # an unknown field is a typo
    ],
)
def test_a_bad_warehouse_name_or_address_stops_start_up(tmp_path: Path, change) -> None:
    folder = copy_data(tmp_path)
    edit(folder, "warehouses.json", lambda d: change(d["warehouses"][1]))
    with pytest.raises(ReferenceDataInvalid) as err:
        load_reference_data(folder)
    assert err.value.details["file"] == "warehouses.json"
    assert all("warehouses" in ".".join(map(str, e["loc"])) for e in err.value.details["errors"])
