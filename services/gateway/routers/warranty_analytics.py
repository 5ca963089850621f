"""Warranty batch analytics: production volumes (operators), the analytics report and its chart."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile

from services.gateway.auth import Agent, Principal
from services.gateway.errors import problem_responses
from services.gateway.routers._ask import ask
from services.gateway.runtime import Rpc
from shared.contracts import warranty_analytics as c
from shared.errors import DomainError, ErrorKind, Forbidden

router = APIRouter(prefix="/v1", tags=["warranty analytics"])
S = c.Subjects
OPERATIONS_SCOPE = "operations"


async def require_operations(principal: Agent) -> Principal:
    """Agents whose token carries the `operations` scope (production data is theirs to state)."""
    if OPERATIONS_SCOPE not in principal.scopes:
        raise Forbidden("This operation needs the 'operations' scope.", code="scope_required",
                        details={"scope": OPERATIONS_SCOPE})  # fmt: skip
    return principal


Operator = Annotated[Principal, Depends(require_operations)]


async def _filters(
    region: Annotated[Literal["US", "UK", "EU"] | None, Query()] = None,
    factory: Annotated[str | None, Query(pattern=c.FACTORY_PATTERN, examples=["SD"])] = None,
    style: Annotated[str | None, Query(pattern=c.STYLE_PATTERN, examples=["VT02"])] = None,
    week_from: Annotated[
        str | None,
        Query(
            pattern=c.ISO_WEEK_PATTERN, description="First production week.", examples=["2025-W01"]
        ),
    ] = None,
    week_to: Annotated[
        str | None,
        Query(
            pattern=c.ISO_WEEK_PATTERN, description="Last production week.", examples=["2025-W26"]
        ),
    ] = None,
) -> c.AnalyticsRequest:
    return c.AnalyticsRequest(region=region, factory=factory, style=style, week_from=week_from,
                              week_to=week_to)  # fmt: skip


Filters = Annotated[c.AnalyticsRequest, Depends(_filters)]


async def _csv_text(upload: UploadFile) -> str:
    raw = await upload.read(c.MAX_CSV_CHARS + 1)
    if len(raw) > c.MAX_CSV_CHARS:
        raise DomainError("The file is larger than the volumes upload allows.",
                          code="volumes_file_too_large", kind=ErrorKind.INVALID,
                          details={"max_bytes": c.MAX_CSV_CHARS})  # fmt: skip
    try:
        return raw.decode("utf-8-sig")  # spreadsheets often prepend a byte-order mark
    except UnicodeDecodeError as exc:
        raise DomainError("The file is not UTF-8 text.", code="volumes_invalid",
                          kind=ErrorKind.INVALID,
                          details={"errors": [{"row": None, "column": None, "code": "not_utf8"}]},
                          ) from exc  # fmt: skip


@router.post("/warranty/production-volumes", response_model=c.VolumesUploaded,
             responses=problem_responses(401, 403, 413, 422, 503, 504),
             summary="Upload production volumes (CSV: factory,iso_week,style,units)")  # fmt: skip
async def upload_volumes(
    principal: Operator,
    rpc: Rpc,
    file: Annotated[UploadFile, File(description="CSV, header `factory,iso_week,style,units`; "
                                     "e.g. `SD,2025-W07,VT02,1200`. At most 200 kB, 5000 rows.")],
) -> c.VolumesUploaded:  # fmt: skip
    """A file with any bad row is refused as a whole (422 `volumes_invalid`, `details.errors`
    lists row, column and code for each); a good file restates the volumes it names.

    **Who may call:** support agents whose token carries the `operations` scope."""
    body = c.UploadVolumesRequest(csv=await _csv_text(file))
    return await ask(rpc, S.UPLOAD_VOLUMES, body, principal.actor(), c.VolumesUploaded)


@router.get("/warranty/analytics", response_model=c.AnalyticsReport,
            responses=problem_responses(401, 403, 422, 503, 504),
            summary="Warranty analytics: batches, defect rates, SLA, flagged batches")  # fmt: skip
async def analytics(principal: Agent, rpc: Rpc, filters: Filters) -> c.AnalyticsReport:
    """Defect rate = manufacturing-defect claims (not cancelled or rejected) / units produced,
    with an exact 95% Clopper-Pearson interval. A batch is flagged when a one-sided exact
    binomial test against its style's baseline survives Benjamini-Hochberg at q (see
    docs/analytics.md). With `region`, claims are that region's and units are the whole batch."""
    return await ask(rpc, S.BATCH_ANALYTICS, filters, principal.actor(), c.AnalyticsReport)


@router.get("/warranty/analytics/defect-rate.svg", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}},
                       **problem_responses(401, 403, 422, 503, 504)},
            summary="Chart: defect rate by production week, one line per factory (SVG)")  # fmt: skip
async def defect_rate_chart(principal: Agent, rpc: Rpc, filters: Filters) -> Response:
    chart = await ask(rpc, S.DEFECT_RATE_CHART, filters, principal.actor(), c.DefectRateChart)
    svg = chart.svg
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})
