"""The request-reply subjects of the orders service and the types every orders contract uses."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


# -- subjects ------------------------------------------------------------------------------
class Subjects:
    """The request-reply subjects of the orders service (`rpc.orders.<operation>`)."""

    CATALOGUE = "rpc.orders.catalogue"
    OFFER = "rpc.orders.offer"
    QUOTE = "rpc.orders.quote"
    GET_QUOTE = "rpc.orders.get_quote"
    PLACE_ORDER = "rpc.orders.place_order"
    GET_ORDER = "rpc.orders.get_order"
    LIST_ORDERS = "rpc.orders.list_orders"
    CANCEL_ORDER = "rpc.orders.cancel_order"
    JOIN_WAITLIST = "rpc.orders.join_waitlist"
    SET_LISTING = "rpc.orders.set_listing"
    REPLENISH = "rpc.orders.replenish"
    REPLACEMENT_STOCK = "rpc.orders.replacement_stock"
    RESERVE_REPLACEMENT = "rpc.orders.reserve_replacement"
    RELEASE_REPLACEMENT = "rpc.orders.release_replacement"
    REQUEST_RETURN = "rpc.orders.request_return"
    GET_RETURN = "rpc.orders.get_return"
    LIST_RETURNS = "rpc.orders.list_returns"
    CANCEL_RETURN = "rpc.orders.cancel_return"
    RECEIVE_RETURN = "rpc.orders.receive_return"
    RETURN_LABEL_PDF = "rpc.orders.return_label_pdf"


Region = Literal["US", "UK", "EU"]
Amount = str
_AMOUNT_DESC = "Decimal string in `currency`, rounded half-up to the minor unit."


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")
