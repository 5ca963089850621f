"""Composition root of the warranty service: builds each group of use cases and wires them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import structlog

from services.warranty.adapters.blob_store import LocalFolderBlobStore, S3BlobStore
from services.warranty.adapters.charts import SvgCharts
from services.warranty.adapters.ocr_process import OcrProcess
from services.warranty.adapters.orders_stock import OrdersReplacementStock
from services.warranty.adapters.photo_inbox import ObjectStorePhotoInbox
from services.warranty.adapters.photos import clean_photo
from services.warranty.adapters.policy_html import render_policy_html
from services.warranty.adapters.reference_data import load_catalogue, load_policy
from services.warranty.adapters.rma_pdf import render_rma_pdf
from services.warranty.adapters.unit_of_work import WarrantyUnitOfWork, warranty_uow
from services.warranty.domain.policy import Policy
from services.warranty.domain.ports import BlobStore, ReplacementStock
from services.warranty.domain.reference import Catalogue
from services.warranty.domain.sla import Timings
from services.warranty.entrypoints.rpc import (
    UseCases,
    analytics_routes,
    label_photo_routes,
    routes,
)
from services.warranty.entrypoints.translate import ClaimReplies
from services.warranty.entrypoints.workers import (
    batch_sweeper,
    ocr_reader,
    photo_sweeper,
    timer_sweeper,
)
from services.warranty.service_layer.batch_analytics import BatchAnalytics
from services.warranty.service_layer.claim_changes import ClaimChanges
from services.warranty.service_layer.claim_evidence import ClaimEvidence
from services.warranty.service_layer.claim_queries import ClaimQueries
from services.warranty.service_layer.claim_timers import ClaimTimers
from services.warranty.service_layer.claims import ClaimCases, RmaIssuer
from services.warranty.service_layer.label_photos import LabelPhotos
from services.warranty.service_layer.labels_coverage import LabelsAndCoverage
from services.warranty.service_layer.repair_centre import RepairCentre
from services.warranty.settings import Settings
from shared.clock import Clock, SystemClock
from shared.rpc import RpcClient
from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import default_data_dir

MIGRATIONS = Path(__file__).parent / "migrations"
log = structlog.get_logger()


@dataclass(frozen=True)
class ClaimUseCases:
    """Every claim use case over one unit of work (also what in-process tests drive)."""

    labels: LabelsAndCoverage
    claims: ClaimCases
    queries: ClaimQueries
    repair_centre: RepairCentre
    timers: ClaimTimers

    def rpc(self) -> UseCases:
        return UseCases(self.labels, self.claims, self.queries, self.repair_centre)


def claim_use_cases(
    uow: WarrantyUnitOfWork,
    catalogue: Catalogue,
    policy: Policy,
    stock: ReplacementStock,
    clock: Clock,
    timings: Timings,
    rmas: RmaIssuer,
) -> ClaimUseCases:
    changes = ClaimChanges(uow, clock)
    return ClaimUseCases(
        labels=LabelsAndCoverage(catalogue, policy, clock, render_policy_html),
        claims=ClaimCases(uow, changes, rmas, catalogue, policy, clock, rmas.entropy),
        queries=ClaimQueries(uow, catalogue, clock, render_rma_pdf, timings),
        repair_centre=RepairCentre(uow, changes, catalogue, stock, timings),
        timers=ClaimTimers(uow, clock, timings),
    )


def build(settings: Settings | None = None, clock: Clock | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    clock = clock or SystemClock()
    rt = ServiceRuntime("warranty", settings, migrations=MIGRATIONS)
    catalogue, policy = load_catalogue(), load_policy()
    timings = Timings(at_risk_after=settings.sla_at_risk, breach_after=settings.sla_breach)
    uow = warranty_uow(rt.uow, catalogue, timings)

    def rpc_client() -> RpcClient:
        assert rt.nc is not None, "the service has not started"
        return RpcClient(rt.nc)

    stock = OrdersReplacementStock(rpc_client, settings.orders_rpc_timeout_s)
    rmas = RmaIssuer(catalogue, validity=settings.rma_validity,
                     reminder_before=settings.rma_reminder_before)  # fmt: skip
    cases = claim_use_cases(uow, catalogue, policy, stock, clock, timings, rmas)
    for route in routes(cases.rpc(), ClaimReplies(catalogue, timings, clock)):
        rt.rpc(route)
    rt.background(timer_sweeper(cases.timers, settings.timer_sweep_interval_s))
    batches = build_batch_analytics(rt, uow, catalogue, settings, clock)
    rt.photos = build_label_photos(rt, uow, catalogue, settings, clock)  # type: ignore[attr-defined]
    rt.use_cases = cases  # type: ignore[attr-defined]  # for in-process tests
    rt.batches = batches  # type: ignore[attr-defined]
    return rt


def blob_store_from(settings: Settings) -> BlobStore:
    """The store of kept photos the settings name (checked at start-up: a wrong bucket or an
    unwritable folder stops the service with the reason)."""
    if settings.blob_store == "s3":
        assert settings.blob_bucket is not None  # the settings refuse s3 without a bucket
        secret = settings.blob_secret_access_key
        credentials = None
        if settings.blob_access_key_id and secret is not None:
            credentials = (settings.blob_access_key_id, secret.get_secret_value())
        return S3BlobStore(settings.blob_bucket, endpoint_url=settings.blob_endpoint_url,
                           region=settings.blob_region, prefix=settings.blob_prefix,
                           credentials=credentials)  # fmt: skip
    folder = settings.photo_dir or default_data_dir() / "warranty-photos"
    if settings.env == "production":  # replicas do not share a local folder, nor keep it
        log.warning("photos.local_store_in_production", folder=str(folder),
                    hint="set WARRANTY_BLOB_STORE=s3 and WARRANTY_BLOB_BUCKET")  # fmt: skip
    return LocalFolderBlobStore(folder)


def build_label_photos(
    rt: ServiceRuntime, uow: WarrantyUnitOfWork, catalogue: Catalogue, settings: Settings,
    clock: Clock,
) -> LabelPhotos:  # fmt: skip
    """Reading labels from photos the gateway hands over through the object store, and the
    photos kept as claim evidence."""
    blobs = blob_store_from(settings)
    hand_over = ObjectStorePhotoInbox(lambda: rt.js, settings.stream_replicas)
    reader = OcrProcess(threads=settings.ocr_workers, read_timeout=settings.ocr_read_timeout_s,
                        start_timeout=settings.ocr_warmup_timeout_s)  # fmt: skip
    photos = LabelPhotos(
        reader=reader, blobs=blobs, catalogue=catalogue, clean=clean_photo, uow=uow,
        workers=settings.ocr_workers, clock=clock, inbox=hand_over,
    )  # fmt: skip
    evidence = ClaimEvidence(uow, blobs, clock, timedelta(seconds=settings.photo_retention_s))
    for route in label_photo_routes(photos, evidence, hand_over):
        rt.rpc(route)
    rt.dependency("photo store", blobs.check)
    rt.background(photo_sweeper(evidence, min(settings.photo_retention_s, 3600.0)))
    if settings.ocr_warmup:
        rt.ready_check("ocr", lambda: photos.warmed)
    rt.background(
        ocr_reader(photos, settings.ocr_warmup_timeout_s if settings.ocr_warmup else None)
    )
    return photos


def build_batch_analytics(
    rt: ServiceRuntime, uow: WarrantyUnitOfWork, catalogue: Catalogue, settings: Settings,
    clock: Clock,
) -> BatchAnalytics:  # fmt: skip
    """Batch analytics: volumes, flags, report and chart, plus the re-evaluation loop."""
    batches = BatchAnalytics(
        uow=uow, catalogue=catalogue, promise=settings.sla_breach,
        render_svg=SvgCharts().defect_rate, clock=clock, q=settings.batch_fdr_q,
        min_claims=settings.batch_min_claims,
    )  # fmt: skip
    for route in analytics_routes(batches):
        rt.rpc(route)
    rt.background(batch_sweeper(batches, settings.batch_sweep_interval_s))
    return batches
