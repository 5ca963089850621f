"""RPC responders on nats-py: the glue's answers, requests of a subject handled side by side, one
replica answering each request, and a stop that answers what it holds before going."""

from __future__ import annotations

import asyncio
from typing import Any

import nats
import pytest
from pydantic import BaseModel

from shared.errors import DomainError, ErrorKind
from shared.messaging.glue import RpcRoute
from shared.messaging.responder import RpcResponders
from shared.rpc import RpcClient, UpstreamUnavailable


class Echo(BaseModel):
    text: str


class Refused(DomainError):
    code = "echo_refused"
    kind = ErrorKind.CONFLICT


async def _echo(request: Echo, _actor: Any) -> dict[str, str]:
    if request.text == "no":
        raise Refused("refused on purpose")
    return {"text": request.text}


async def test_answers_and_refusals_travel_as_before(nats_server: Any) -> None:
    nc = await nats.connect(nats_server.url)
    responders = RpcResponders("svc", None)
    responders.add(RpcRoute("rpc.svc.echo", _echo, Echo))
    await responders.start(nc)
    try:
        client = RpcClient(nc)
        assert await client.call("rpc.svc.echo", {"text": "hi"}) == {"text": "hi"}
        with pytest.raises(DomainError) as refused:
            await client.call("rpc.svc.echo", {"text": "no"})
        assert refused.value.code == "echo_refused"
        with pytest.raises(DomainError) as invalid:
            await client.call("rpc.svc.echo", {"wrong": 1})
        assert invalid.value.code == "invalid_request"
    finally:
        await responders.stop(timeout=5)
        await nc.drain()


async def test_requests_of_one_subject_run_side_by_side(nats_server: Any) -> None:
    """Four requests are inside the handler at the same time (none could finish alone)."""
    inside, all_in = 0, asyncio.Event()

    async def gathered(request: Echo, _actor: Any) -> dict[str, str]:
        nonlocal inside
        inside += 1
        if inside == 4:
            all_in.set()
        await asyncio.wait_for(all_in.wait(), timeout=5)
        return {"text": request.text}

    nc = await nats.connect(nats_server.url)
    responders = RpcResponders("svc", None, max_in_flight=4)
    responders.add(RpcRoute("rpc.svc.gather", gathered, Echo))
    await responders.start(nc)
    try:
        client = RpcClient(nc, default_timeout=10)
        replies = await asyncio.gather(
            *(client.call("rpc.svc.gather", {"text": str(i)}) for i in range(4))
        )
        assert sorted(r["text"] for r in replies) == ["0", "1", "2", "3"]
    finally:
        await responders.stop(timeout=5)
        await nc.drain()


async def test_one_replica_answers_each_request(nats_server: Any) -> None:
    answered: list[str] = []

    def replica(name: str) -> RpcRoute:
        async def handler(request: Echo, _actor: Any) -> dict[str, str]:
            answered.append(name)
            return {"text": name}

        return RpcRoute("rpc.svc.who", handler, Echo)

    conns = [await nats.connect(nats_server.url) for _ in range(2)]
    group = [RpcResponders("svc", None), RpcResponders("svc", None)]
    for name, responders, nc in zip(("a", "b"), group, conns, strict=True):
        responders.add(replica(name))
        await responders.start(nc)
    try:
        client = RpcClient(conns[0])
        for _ in range(20):
            await client.call("rpc.svc.who", {"text": "?"})
        assert len(answered) == 20  # a queue group: one answer per request, never two
    finally:
        for responders, nc in zip(group, conns, strict=True):
            await responders.stop(timeout=5)
            await nc.drain()


async def test_stop_answers_the_request_in_hand_then_takes_no_more(nats_server: Any) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(request: Echo, _actor: Any) -> dict[str, str]:
        started.set()
        await release.wait()
        return {"text": request.text}

    nc = await nats.connect(nats_server.url)
    responders = RpcResponders("svc", None)
    responders.add(RpcRoute("rpc.svc.slow", slow, Echo))
    await responders.start(nc)
    client = RpcClient(nc, default_timeout=10)
    try:
        pending = asyncio.create_task(client.call("rpc.svc.slow", {"text": "kept"}))
        await asyncio.wait_for(started.wait(), timeout=5)
        stopping = asyncio.create_task(responders.stop(timeout=10))
        await asyncio.sleep(0.2)
        assert not stopping.done()  # it waits for the request in hand
        release.set()
        assert await pending == {"text": "kept"}
        await stopping
        with pytest.raises(UpstreamUnavailable):
            await client.call("rpc.svc.slow", {"text": "late"}, timeout=2)
    finally:
        await nc.drain()
