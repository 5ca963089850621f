"""A service built by its composition root can run inside the test's event loop."""

import nats

from shared.rpc import RpcClient
from tests.integration.runtime.sample_service.app import SampleSettings, build
from tests.support.runtime.sample_events import tally_of
from tests.support.waiting import eventually


async def test_in_process_service_roundtrip(nats_server, sqlite_url):
    rt = build(
        SampleSettings(nats_url=nats_server.url, database_url=sqlite_url, relay_sweep_interval=0.1)
    )
    await rt.app.start()
    nc = await nats.connect(nats_server.url)
    try:
        await RpcClient(nc).call("rpc.sample.credit", {"id": "x1", "account": "ip", "amount": 9})
        assert await eventually(lambda: tally_of(rt.db, "ip")) == 9
        ping = await RpcClient(nc).call("rpc.sample.ping")
        assert ping["service"] == "sample" and ping["database"] is True
    finally:
        await nc.drain()
        await rt.app.stop()
