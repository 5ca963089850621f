"""The basket: pick several styles from the catalogue, change units, quote them together (one
quote, one parcel per warehouse), then pay on the quote page like any other quote.

As with the shop, a customer's pages live under / and an agent's, for one customer, under
/agent/customers/<id>/; the basket is per customer (services/web/basket.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.web import basket as baskets
from services.web.api import ApiError, Gateway
from services.web.basket import BasketRefused
from services.web.deps import Api
from services.web.labels import REGIONS
from services.web.routes.common import ObjectId, flash_error, start_region
from services.web.routes.shop import Shopper
from services.web.session import CurrentAgent, CurrentCustomer, Form, flash
from services.web.views import render, see_other

router = APIRouter()


def _units(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise BasketRefused("basket_quantity_invalid", "Units must be a whole number.") from None


def _refused(request: Request, exc: BasketRefused) -> None:
    flash(request, "error", "The basket did not change", exc.code, exc.detail)


async def show(request: Request, api: Gateway, who: Shopper, locale: str) -> Response:
    basket = baskets.load(request.session, who.customer_id)
    region = basket.region or start_region(request, locale, who.customer_id)
    return render(request, "basket.html", basket=basket, region=region, who=who,
                  offers=await _offers(api, region) if basket.lines else {})  # fmt: skip


async def _offers(api: Gateway, region: str) -> dict[str, dict[str, object]]:
    """The region's offers by style, so each line reads as the piece it is (name and price),
    not only its code: one catalogue call for the whole basket. Without it, codes only."""
    try:
        catalogue = await api.get("/v1/catalog", region=region)
    except ApiError:
        return {}
    return {str(o.get("style")): o for o in catalogue.get("offers", []) if isinstance(o, dict)}


async def add(request: Request, who: Shopper, form: Form) -> Response:
    basket = baskets.load(request.session, who.customer_id)
    region = str(form.get("region") or "")
    style = str(form.get("style") or "")
    if region not in REGIONS:
        flash(request, "error", "Choose a delivery region", "basket_region_invalid")
        return see_other(f"{who.base}/shop")
    try:
        switched = basket.add(style, _units(form.get("quantity") or 1), region)
    except BasketRefused as exc:
        _refused(request, exc)
        return see_other(f"{who.base}/shop?region={region}")
    baskets.save(request.session, who.customer_id, basket)
    detail = f"The basket holds {basket.units} unit{'s' if basket.units != 1 else ''}."
    if switched:
        detail = f"It held picks for another region, which were taken out. {detail}"
    flash(request, "success", f"{style} added to the basket", detail=detail)
    return see_other(f"{who.base}/shop?region={region}")


async def change(request: Request, who: Shopper, form: Form) -> Response:
    """Apply the basket form: each line's units (0 takes it out), or the one line removed."""
    basket = baskets.load(request.session, who.customer_id)
    try:
        removed = form.get("remove")
        if removed:
            basket.set_quantity(str(removed), 0)
        else:
            for style in list(basket.lines):
                if f"units-{style}" in form:
                    basket.set_quantity(style, _units(form.get(f"units-{style}")))
    except BasketRefused as exc:
        _refused(request, exc)
        return see_other(f"{who.base}/basket")
    baskets.save(request.session, who.customer_id, basket)
    return see_other(f"{who.base}/basket")


async def quote(request: Request, api: Gateway, who: Shopper, form: Form) -> Response:
    basket = baskets.load(request.session, who.customer_id)
    if not basket.lines:
        flash(request, "error", "The basket is empty", "basket_empty")
        return see_other(f"{who.base}/basket")
    body = {"region": basket.region, "lines": basket.cart_lines(), "customer_id": who.customer_id}
    try:
        answer = await api.post("/v1/quotes", body, idempotency_key=str(form.get("form_key")))
    except ApiError as exc:
        flash_error(request, exc)
        return see_other(f"{who.base}/basket")
    basket.quoted(answer["quote_id"])
    baskets.save(request.session, who.customer_id, basket)
    return see_other(f"{who.base}/quotes/{answer['quote_id']}")


# Customer routes ------------------------------------------------------------------------------


@router.get("/basket")
async def c_show(request: Request, user: CurrentCustomer, api: Api) -> Response:
    return await show(request, api, Shopper.of(user), user.locale)


@router.post("/basket")
async def c_add(request: Request, user: CurrentCustomer, form: Form) -> Response:
    return await add(request, Shopper.of(user), form)


@router.post("/basket/lines")
async def c_change(request: Request, user: CurrentCustomer, form: Form) -> Response:
    return await change(request, Shopper.of(user), form)


@router.post("/basket/quote")
async def c_quote(request: Request, user: CurrentCustomer, api: Api, form: Form) -> Response:
    return await quote(request, api, Shopper.of(user), form)


# Agents, for one customer ---------------------------------------------------------------------
AGENT = "/agent/customers/{customer_id}"


@router.get(AGENT + "/basket")
async def a_show(request: Request, customer_id: ObjectId, user: CurrentAgent, api: Api) -> Response:  # fmt: skip
    return await show(request, api, Shopper.of(user, customer_id), user.locale)


@router.post(AGENT + "/basket")
async def a_add(request: Request, customer_id: ObjectId, user: CurrentAgent, form: Form) -> Response:  # fmt: skip
    return await add(request, Shopper.of(user, customer_id), form)


@router.post(AGENT + "/basket/lines")
async def a_change(request: Request, customer_id: ObjectId, user: CurrentAgent, form: Form) -> Response:  # fmt: skip
    return await change(request, Shopper.of(user, customer_id), form)


@router.post(AGENT + "/basket/quote")
async def a_quote(request: Request, customer_id: ObjectId, user: CurrentAgent, api: Api,
                  form: Form) -> Response:  # fmt: skip
    return await quote(request, api, Shopper.of(user, customer_id), form)
