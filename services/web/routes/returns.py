"""Returns from the order page: the customer sends a delivered item back, or an agent starts a
return for the customer from the customer view. The order page lists the order's returns with
their refund figures (shop.py reads them with the order) and a link per label to its printable
PDF, fetched through the gateway as the signed-in user."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web.api import ApiError, Gateway
from services.web.deps import Api
from services.web.formatting import day, money
from services.web.routes.common import ObjectId, download, refused_here
from services.web.routes.shop import Shopper, show_order
from services.web.session import CurrentAgent, CurrentCustomer, Form, flash
from services.web.views import page_locale, see_other

router = APIRouter()


async def start_return(
    request: Request, api: Gateway, who: Shopper, order_id: str, form: Form
) -> Response:
    try:
        quantity = int(str(form.get("quantity") or 1))
    except ValueError:
        quantity = 0  # the API refuses it with its own code
    line = {"style": form.get("style"), "quantity": quantity, "reason": form.get("reason")}
    body = {"lines": [line], "customer_id": who.customer_id}
    try:
        ret = await api.post(f"/v1/orders/{order_id}/returns", body,
                             idempotency_key=str(form.get("form_key")))  # fmt: skip
    except ApiError as exc:
        closed = exc.details.get("closed_at") if exc.code == "return_window_closed" else None
        if closed:  # the window is the order service's setting: say its day, not a count
            exc.detail = f"Returns for it closed on {day(str(closed), page_locale(request))}."
        refused_here(request, exc, form.get("form_key"))
        typed = {"style": str(line["style"] or "")[:16], "quantity": str(form.get("quantity"))[:4],
                 "reason": str(line["reason"] or "")[:32]}  # fmt: skip
        return await show_order(request, api, who, order_id, typed)
    refund = ret["refund"]
    amount = money(refund["total"], refund["currency"], page_locale(request))  # £95.82, as pages
    flash(request, "success", f"Return {ret['return_number']} started",
          detail=f"{'The' if who.customer_id else 'Your'} free label is ready. {amount} is "
          "refunded once the carrier scans the "
          "parcel in.")  # fmt: skip
    return see_other(f"{who.base}/orders/{order_id}")


@router.post("/orders/{order_id}/returns")
async def c_return(request: Request, order_id: ObjectId, user: CurrentCustomer, api: Api,
                   form: Form) -> Response:  # fmt: skip
    return await start_return(request, api, Shopper.of(user), order_id, form)


@router.post("/agent/customers/{customer_id}/orders/{order_id}/returns")
async def a_return(request: Request, customer_id: ObjectId, order_id: ObjectId,
                   user: CurrentAgent, api: Api, form: Form) -> Response:  # fmt: skip
    return await start_return(request, api, Shopper.of(user, customer_id), order_id, form)


@router.get("/returns/{return_id}/labels/{label_id}.pdf")
async def c_return_label(return_id: ObjectId, label_id: ObjectId, user: CurrentCustomer,
                         api: Api) -> Response:  # fmt: skip
    return await download(api, f"/v1/returns/{return_id}/labels/{label_id}.pdf")


@router.get("/agent/customers/{customer_id}/returns/{return_id}/labels/{label_id}.pdf")
async def a_return_label(customer_id: ObjectId, return_id: ObjectId, label_id: ObjectId,
                         user: CurrentAgent, api: Api) -> Response:  # fmt: skip
    path = f"/v1/returns/{return_id}/labels/{label_id}.pdf"
    return await download(api, path, customer_id=customer_id)
