"""Printing return labels through the service layer (a fake printer records what it is given):
one sheet per warehouse the goods go back to, her own return or an agent's, void once the
return no longer expects a parcel."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.orders.domain.carts import CartLine
from services.orders.domain.order_returns import ReturnNotFound
from services.orders.domain.return_labels import (
    ReturnLabelNotFound,
    ReturnLabelSheet,
    ReturnLabelVoid,
)
from services.orders.domain.returns import ReturnStatus
from services.orders.service_layer.return_labels import ReturnLabels
from shared.actor import Actor
from tests.support.orders.returns import delivered, delivered_cart, line, processing
from tests.support.orders.stack import UK_CUSTOMER, Stack

AGENT, STRANGER = Actor(type="agent", id="agent-7"), Actor(type="customer", id="cust-other")


class FakePrinter:
    def __init__(self) -> None:
        self.sheets: list[ReturnLabelSheet] = []

    def render(self, sheet: ReturnLabelSheet) -> bytes:
        self.sheets.append(sheet)
        return b"%PDF-fake"


def labels_of(stack: Stack) -> tuple[ReturnLabels, FakePrinter]:
    printer = FakePrinter()
    return ReturnLabels(stack.cases.returns, stack.cases.returns.ref, printer), printer


async def test_each_parcel_goes_to_its_warehouses_returns_address(stack: Stack) -> None:
    order = await delivered_cart(stack, [CartLine("JR01", 1), CartLine("VT02", 1)])
    ret = await stack.cases.returns.request_return(
        UK_CUSTOMER, order.order_id, [line("JR01"), line("VT02")]
    )
    labels, printer = labels_of(stack)
    for label in ret.labels:
        printed = await labels.print_label(UK_CUSTOMER, ret.return_id, label.shipment_id)
        assert printed.pdf == b"%PDF-fake" and ret.return_number in printed.filename
    local, imported = sorted(printer.sheets, key=lambda s: s.warehouse != "UK-LON")
    assert (local.warehouse_name, local.to_address.country, local.customs) == (
        "London, United Kingdom", "GB", ())  # fmt: skip
    assert imported.warehouse_name == "New Jersey, United States"
    assert imported.to_address.country == "US"
    assert [g.procedure for g in imported.customs] == ["returned_goods"]


async def test_an_agent_prints_anyones_label_another_customer_none(stack: Stack) -> None:
    order = await delivered(stack, "VT02")
    ret = await stack.cases.returns.request_return(UK_CUSTOMER, order.order_id, [line("VT02")])
    labels, _ = labels_of(stack)
    label_id = ret.labels[0].shipment_id
    assert (await labels.print_label(AGENT, ret.return_id, label_id)).pdf
    with pytest.raises(ReturnNotFound):
        await labels.print_label(STRANGER, ret.return_id, label_id)
    with pytest.raises(ReturnLabelNotFound):
        await labels.print_label(UK_CUSTOMER, ret.return_id, "not-a-label")


async def test_an_expired_returns_label_is_void(stack: Stack) -> None:
    stack.carrier.return_schedule = (None, None)  # the parcel never leaves
    order = await delivered(stack, "VT02")
    ret = await stack.cases.returns.request_return(UK_CUSTOMER, order.order_id, [line("VT02")])
    stack.clock.advance(timedelta(days=30, minutes=1))
    assert (await processing(stack).advance(ret.return_id)).status is ReturnStatus.EXPIRED
    labels, printer = labels_of(stack)
    with pytest.raises(ReturnLabelVoid) as refused:
        await labels.print_label(UK_CUSTOMER, ret.return_id, ret.labels[0].shipment_id)
    assert refused.value.code == "return_label_void" and printer.sheets == []
