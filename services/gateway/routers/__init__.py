"""HTTP routers, one module per service (`warranty.py`, `orders.py`, `notifications.py`).

`services.gateway.app.discover_routers` includes every module here that defines `router`
(an `APIRouter`); modules starting with `_` are skipped. See ../ROUTERS.md.
"""
