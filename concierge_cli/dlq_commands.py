"""`concierge dlq list|replay`: dead-lettered events, and publishing one again."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer

from concierge_cli.nats_access import NatsUrlOption, with_js
from concierge_cli.output import console, fail
from shared.runtime.settings import DEFAULT_NATS_URL

dlq_app = typer.Typer(help="Inspect and replay dead-lettered events.", no_args_is_help=True)


@dlq_app.command("list")
def dlq_list(
    nats_url: NatsUrlOption = DEFAULT_NATS_URL,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List dead-lettered events with their reason."""
    from shared.messaging.dlq import list_dead_letters

    letters = asyncio.run(with_js(nats_url, list_dead_letters))
    rows = [letter.summary() for letter in letters]
    if as_json:
        console.print_json(json.dumps(rows))
        return
    from rich.table import Table

    table = Table(title=f"Dead letters ({len(rows)})")
    for col in ("id", "subject", "consumer", "deliveries", "failed_at", "reason"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            *(str(r[c]) for c in ("id", "subject", "consumer", "deliveries", "failed_at", "reason"))
        )
    console.print(table)


@dlq_app.command("replay")
def dlq_replay(
    dlq_id: Annotated[int, typer.Argument(help="Id shown by `concierge dlq list`.")],
    nats_url: NatsUrlOption = DEFAULT_NATS_URL,
) -> None:
    """Publish a dead-lettered event again on its original subject."""
    letter = asyncio.run(with_js(nats_url, lambda js: _replay(js, dlq_id)))
    console.print(f"replayed {dlq_id} to {letter.original_subject} (consumer {letter.consumer})")


async def _replay(js: Any, dlq_id: int) -> Any:
    """Replay one dead letter, or say in one line why not (exit 1) and change nothing."""
    from nats.errors import Error as NatsError
    from nats.js.errors import NotFoundError

    from shared.messaging.dlq import get_dead_letter, replay_dead_letter
    from shared.messaging.streams import is_event_subject

    try:
        letter = await get_dead_letter(js, dlq_id)
    except NotFoundError:
        fail(f"no dead letter with id {dlq_id}")
    if not is_event_subject(letter.original_subject):
        fail(
            f"dead letter {dlq_id} has no valid original subject "
            f"({letter.original_subject!r}); not replayed"
        )
    try:
        return await replay_dead_letter(js, dlq_id)
    except (NatsError, ValueError) as exc:
        fail(f"dead letter {dlq_id} could not be replayed: {exc}")
