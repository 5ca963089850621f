"""HTTP routers, one module per service (`warranty.py`, `orders.py`, `notifications.py`), and
`operations.py` for the event DLQ, which no service owns (it reads NATS through shared/messaging).

`services.gateway.app.discover_routers` includes every module here that defines `router`
(an `APIRouter`); modules starting with `_` are skipped. See ../ROUTERS.md.
"""
