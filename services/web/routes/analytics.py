"""Agents who run operations: warranty batch analytics (defect rate per factory, week and style,
flagged batches with their test), the defect-rate chart, and the production-volumes upload.

The page is offered to agents whose token carries the `operations` scope (they state the
volumes the rates are computed from); others get a refusal page saying why. The gateway checks
the token on every call regardless.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from services.web import problems
from services.web.api import ApiError, Gateway
from services.web.deps import Api
from services.web.routes.common import back_to, download, flash_error
from services.web.session import CurrentOperator, Form, flash
from services.web.views import render, see_other

router = APIRouter(prefix="/agent/analytics")
# Read one byte past the gateway's 200 kB so that it, the judge, sees an oversized file.
UPLOAD_READ_LIMIT = 200_001
# A request far past that is refused before the form is parsed (and spooled to disk).
UPLOAD_REQUEST_LIMIT = 1_000_000
REGIONS = ("US", "UK", "EU")


def filters(
    region: Annotated[str, Query(max_length=2)] = "",
    factory: Annotated[str, Query(max_length=8)] = "",
    style: Annotated[str, Query(max_length=8)] = "",
    week_from: Annotated[str, Query(max_length=10)] = "",
    week_to: Annotated[str, Query(max_length=10)] = "",
) -> dict[str, str]:
    """The report's filters as typed (upper-cased, blanks dropped); the API validates them and
    its refusal is shown next to the form."""
    typed = {"region": region, "factory": factory, "style": style, "week_from": week_from,
             "week_to": week_to}  # fmt: skip
    return {k: v.strip().upper() for k, v in typed.items() if v.strip()}


Filters = Annotated[dict[str, str], Depends(filters)]


def small_upload(request: Request) -> None:
    """Refuse an upload whose declared size is far past what the API takes, unread."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > UPLOAD_REQUEST_LIMIT:
        raise ApiError(413, "volumes_file_too_large",
                       problems.title_for("volumes_file_too_large", 413),
                       "Production volumes files are at most 200 kB.")  # fmt: skip


SmallUpload = Annotated[None, Depends(small_upload)]


@router.get("")
async def analytics_page(request: Request, user: CurrentOperator, api: Api,
                         chosen: Filters) -> Response:  # fmt: skip
    return await _page(request, api, chosen)


@router.get("/defect-rate.svg")
async def defect_rate_chart(user: CurrentOperator, api: Api, chosen: Filters) -> Response:
    # Served from the console's own origin so the page's CSP (img-src 'self') allows it and the
    # browser never needs the user's token. An <img> never runs scripts inside an SVG.
    return await download(api, "/v1/warranty/analytics/defect-rate.svg", **chosen)


@router.post("/volumes")
async def upload_volumes(request: Request, user: CurrentOperator, api: Api,
                         _: SmallUpload, form: Form) -> Response:  # fmt: skip
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        refused = ApiError(
            422, "volumes_file_missing", problems.title_for("volumes_file_missing", 422)
        )
        return await _page(request, api, {}, upload_problem=refused, status_code=422)
    content = await upload.read(UPLOAD_READ_LIMIT)
    try:
        stored = await api.post_file("/v1/warranty/production-volumes", "file", upload.filename,
                                     content, "text/csv", idempotency_key=str(form.get("form_key")))  # fmt: skip
    except ApiError as exc:
        if exc.status != 422:
            flash_error(request, exc)
            return see_other("/agent/analytics#volumes-title")
        # Every bad row, with its code, on the page itself (too many for a one-shot message).
        return await _page(request, api, {}, upload_problem=exc, filename=upload.filename,
                           status_code=422)  # fmt: skip
    flagged = stored["newly_flagged"]
    flash(request, "success", f"Production volumes saved: {stored['rows']} rows",
          detail=("Newly flagged batches: " + ", ".join(flagged)) if flagged
          else "No batch was newly flagged.")  # fmt: skip
    return see_other("/agent/analytics")


async def _page(request: Request, api: Gateway, chosen: dict[str, str], status_code: int = 200,
                **upload: Any) -> Response:  # fmt: skip
    report, refused = await _report(api, chosen)
    problem = upload.get("upload_problem")
    row_errors = problem.details.get("errors", []) if problem else []
    # A refused upload is served at its POST address: the page names its own (with the filters).
    page = back_to("/agent/analytics", **chosen) if request.method == "POST" else None
    return render(request, "analytics.html", status_code=status_code if not refused else 422,
                  page=page,
                  report=report, refused=refused, chosen=chosen, regions=REGIONS,
                  chart_query=urlencode(chosen), row_errors=row_errors,
                  error_count=problem.details.get("error_count", len(row_errors)) if problem else 0,
                  row_error_text=problems.volume_row_error, **upload)  # fmt: skip


async def _report(api: Gateway, chosen: dict[str, str]) -> tuple[dict[str, Any] | None,
                                                                  ApiError | None]:  # fmt: skip
    """The report, or the API's refusal of the filters (shown beside the form)."""
    try:
        report: dict[str, Any] = await api.get("/v1/warranty/analytics", **chosen)
    except ApiError as exc:
        if exc.status != 422:
            raise
        return None, exc
    return report, None
