"""The printable return label: the facts a carrier and a customer read on the parcel.

One sheet per label of a return (one per warehouse the goods go back to). Which labels print:
a label is printable as long as the return still expects its parcel or has it already (awaiting
parcel, in transit, received, refunded: the same label, for her records). A cancelled return's
labels were cancelled at the carrier, an expired return no longer refunds a parcel that arrives,
and a return turned into a warranty claim travels on the claim's RMA form: printing those
labels would invite a parcel nobody expects, so they are refused (`return_label_void`).

No personal data: the orders service stores no customer name or address, so the sheet has none;
the printed label leaves a blank "From:" box for the customer to fill in by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.orders.domain.order_returns import Return, ReturnLabel
from services.orders.domain.ports import ReturnedGoods
from services.orders.domain.reference import Address, ReferenceData
from services.orders.domain.returns import ReturnStatus
from shared.errors import Conflict, NotFound

VOID = frozenset({ReturnStatus.CANCELLED, ReturnStatus.EXPIRED, ReturnStatus.CONVERTED_TO_CLAIM})


class ReturnLabelNotFound(NotFound):
    code = "return_label_not_found"


class ReturnLabelVoid(Conflict):
    code = "return_label_void"


@dataclass(frozen=True, slots=True)
class ReturnLabelSheet:
    """What the printed label shows (ids, codes, the warehouse's address; nobody's name)."""

    return_id: str
    return_number: str
    order_id: str
    label_id: str
    carrier: str
    tracking_number: str
    warehouse: str
    warehouse_name: str
    to_address: Address
    customs: tuple[ReturnedGoods, ...]  # empty when the parcel crosses no border

    @property
    def filename(self) -> str:
        return f"return-label-{self.return_number}-{self.warehouse}.pdf"


def label_sheet(ret: Return, label_id: str, ref: ReferenceData) -> ReturnLabelSheet:
    """The sheet of one of the return's labels; refused for an unknown or a void label."""
    label = _label(ret, label_id)
    if ret.status in VOID:
        raise ReturnLabelVoid(
            "this return no longer expects a parcel: its label is void",
            details={"return_id": ret.return_id, "status": str(ret.status)},
        )
    warehouse = ref.warehouses[label.warehouse]
    return ReturnLabelSheet(
        return_id=ret.return_id,
        return_number=ret.return_number,
        order_id=ret.order_id,
        label_id=label.shipment_id,
        carrier=label.carrier,
        tracking_number=label.tracking_number,
        warehouse=warehouse.code,
        warehouse_name=warehouse.name,
        to_address=warehouse.address,
        customs=label.customs,
    )


def _label(ret: Return, label_id: str) -> ReturnLabel:
    for label in ret.labels:
        if label.shipment_id == label_id:
            return label
    raise ReturnLabelNotFound(
        "no such label on this return", details={"return_id": ret.return_id, "label_id": label_id}
    )
