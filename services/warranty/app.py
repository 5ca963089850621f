"""Composition root of the warranty service."""

from __future__ import annotations

from pathlib import Path

from services.warranty.adapters.charts import SvgCharts
from services.warranty.adapters.orders_stock import OrdersReplacementStock
from services.warranty.adapters.reference_data import load_catalogue, load_policy
from services.warranty.domain.reference import Catalogue
from services.warranty.domain.sla import Timings
from services.warranty.entrypoints.analytics_rpc import analytics_routes
from services.warranty.entrypoints.batch_timers import batch_sweeper
from services.warranty.entrypoints.rpc import routes
from services.warranty.entrypoints.timers import timer_sweeper
from services.warranty.handlers import Handlers
from services.warranty.queries import Queries
from services.warranty.service_layer.batch_analytics import BatchAnalytics
from services.warranty.settings import Settings
from shared.rpc import RpcClient
from shared.runtime.service import ServiceRuntime

MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: Settings | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    rt = ServiceRuntime("warranty", settings, migrations=MIGRATIONS)
    catalogue, policy = load_catalogue(), load_policy()
    timings = Timings(at_risk_after=settings.sla_at_risk, breach_after=settings.sla_breach)

    def rpc_client() -> RpcClient:
        assert rt.nc is not None, "the service has not started"
        return RpcClient(rt.nc)

    handlers = Handlers(
        uow=rt.uow,
        catalogue=catalogue,
        policy=policy,
        stock=OrdersReplacementStock(rpc_client, settings.orders_rpc_timeout_s),
        timings=timings,
        rma_validity=settings.rma_validity,
        rma_reminder_before=settings.rma_reminder_before,
    )
    queries = Queries(uow=rt.uow, catalogue=catalogue, policy=policy, timings=timings)
    for route in routes(handlers, queries):
        rt.rpc(route)
    batches = build_batch_analytics(rt, catalogue, settings)
    rt.background(timer_sweeper(handlers, settings.timer_sweep_interval_s))
    rt.handlers = handlers  # type: ignore[attr-defined]  # for in-process tests
    rt.batches = batches  # type: ignore[attr-defined]
    return rt


def build_batch_analytics(
    rt: ServiceRuntime, catalogue: Catalogue, settings: Settings
) -> BatchAnalytics:
    """Batch analytics (issue 16): volumes, flags, report and chart, plus the re-evaluation loop."""
    charts = SvgCharts()
    batches = BatchAnalytics(
        uow=rt.uow, catalogue=catalogue, promise=settings.sla_breach,
        render_svg=charts.defect_rate, q=settings.batch_fdr_q,
        min_claims=settings.batch_min_claims,
    )  # fmt: skip
    for route in analytics_routes(batches):
        rt.rpc(route)
    rt.background(batch_sweeper(batches, settings.batch_sweep_interval_s))
    return batches
