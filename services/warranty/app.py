"""Composition root of the warranty service."""

from __future__ import annotations

from pathlib import Path

from services.warranty.adapters.orders_stock import OrdersReplacementStock
from services.warranty.adapters.reference_data import load_catalogue, load_policy
from services.warranty.domain.sla import Timings
from services.warranty.entrypoints.rpc import routes
from services.warranty.entrypoints.timers import timer_sweeper
from services.warranty.handlers import Handlers
from services.warranty.queries import Queries
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
    rt.background(timer_sweeper(handlers, settings.timer_sweep_interval_s))
    rt.handlers = handlers  # type: ignore[attr-defined]  # for in-process tests
    return rt
