"""The printable return label (PDF): one per warehouse the goods go back to.

Part of the orders router (routers/orders.py includes it, under its prefix and tag). Read like
`GET /v1/returns/{id}`: the customer her own return, an agent anyone's; someone else's return
or an unknown label is 404.
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from services.gateway.auth import CustomerIdQuery, CustomerOrAgent
from services.gateway.errors import problem_responses
from services.gateway.routers._ask import ask
from services.gateway.routers._returns import Id, reader
from services.gateway.runtime import Rpc
from shared.contracts import orders as c

router = APIRouter()
LabelId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


@router.get(
    "/returns/{return_id}/labels/{label_id}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **problem_responses(401, 404, 409, 503, 504)},
    summary="The printable return label (PDF): carrier, QR code, addresses, customs lines",
)  # fmt: skip
async def return_label_pdf(
    return_id: Id,
    label_id: LabelId,
    principal: CustomerOrAgent,
    rpc: Rpc,
    customer_id: CustomerIdQuery = None,
) -> Response:
    """The label to print and stick on the parcel: the carrier, the tracking number (large and
    as a QR code), a blank From box to fill in by hand (no customer address is stored), the
    warehouse's returns address, the return number and order id, and for a cross-border parcel
    the customs declaration (returned goods). A label prints while the return expects or has its
    parcel; once the return is cancelled, expired or turned into a claim it is refused with 409
    `return_label_void`."""
    acting = reader(principal, customer_id)
    payload = {"return_id": return_id, "label_id": label_id}
    label = await ask(rpc, c.Subjects.RETURN_LABEL_PDF, payload, acting, c.ReturnLabelPdfReply)
    return Response(
        base64.b64decode(label.pdf_base64),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{label.filename}"'},
    )
