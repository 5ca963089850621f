import nats

from shared.rpc import RpcClient
from tests.support.processes import service_process


async def test_rpc_writes_and_consumer_applies(nats_server, sqlite_url, tmp_path):
    svc = service_process(
        "tests.integration.runtime.sample_service",
        "SAMPLE_",
        nats_server.url,
        sqlite_url,
        tmp_path / "svc.log",
    ).start()
    try:
        nc = await nats.connect(nats_server.url)
        reply = await RpcClient(nc).call(
            "rpc.sample.credit", {"id": "e1", "account": "a", "amount": 5}
        )
        assert reply == {"id": "e1"}
        await nc.drain()
    finally:
        assert svc.terminate() == 0, svc.logs()
