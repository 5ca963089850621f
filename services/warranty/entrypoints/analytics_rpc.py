"""`rpc.warranty.*` of batch analytics: translate wire models, call the use cases."""

from __future__ import annotations

from services.warranty.domain.analytics import Filters
from services.warranty.domain.errors import WarrantyInputError
from services.warranty.domain.reference import Catalogue
from services.warranty.domain.volumes import parse_iso_week
from services.warranty.service_layer.batch_analytics import BatchAnalytics
from shared.actor import Actor
from shared.contracts import warranty_analytics as c
from shared.messaging.glue import RpcRoute


def _week(value: str | None, field: str) -> tuple[int, int] | None:
    if value is None:
        return None
    week = parse_iso_week(value)
    if week is None:
        raise WarrantyInputError(
            f"{value} is not an ISO week.", code="analytics_invalid_week", details={"field": field}
        )
    return week


def filters_from(req: c.AnalyticsRequest, catalogue: Catalogue) -> Filters:
    """Wire filters -> domain filters; unknown codes and reversed periods are refused (422)."""
    if req.factory is not None and catalogue.factory(req.factory) is None:
        raise WarrantyInputError("No such factory.", code="analytics_unknown_factory",
                                 details={"factory": req.factory})  # fmt: skip
    if req.style is not None and catalogue.style(req.style) is None:
        raise WarrantyInputError("No such style.", code="analytics_unknown_style",
                                 details={"style": req.style})  # fmt: skip
    start, end = _week(req.week_from, "week_from"), _week(req.week_to, "week_to")
    if start and end and start > end:
        raise WarrantyInputError("week_from is after week_to.", code="analytics_invalid_period")
    return Filters(region=req.region, factory=req.factory, style=req.style, week_from=start,
                   week_to=end)  # fmt: skip


def analytics_routes(uc: BatchAnalytics) -> list[RpcRoute]:
    async def upload(req: c.UploadVolumesRequest, actor: Actor | None) -> c.VolumesUploaded:
        return await uc.upload_volumes(actor, req.csv)

    async def analytics(req: c.AnalyticsRequest, actor: Actor | None) -> c.AnalyticsReport:
        return await uc.analytics(actor, filters_from(req, uc.catalogue))

    async def chart(req: c.AnalyticsRequest, actor: Actor | None) -> c.DefectRateChart:
        return c.DefectRateChart(
            svg=await uc.defect_rate_chart(actor, filters_from(req, uc.catalogue))
        )

    s = c.Subjects
    return [
        RpcRoute(s.UPLOAD_VOLUMES, upload, c.UploadVolumesRequest),
        RpcRoute(s.BATCH_ANALYTICS, analytics, c.AnalyticsRequest),
        RpcRoute(s.DEFECT_RATE_CHART, chart, c.AnalyticsRequest),
    ]
