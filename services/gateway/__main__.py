"""`python -m services.gateway`: the gateway under uvicorn (uvloop), host/port from settings."""

from __future__ import annotations

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from shared.logging import configure_logging
from shared.runtime.heap import freeze_startup_heap
from shared.runtime.http_server import serve


def main() -> None:
    settings = GatewaySettings()
    configure_logging("gateway", settings.log_format)
    app = create_app(settings)
    freeze_startup_heap()  # ~10% of its CPU per POST went to full collections of it
    serve(
        app,
        host=settings.host,
        port=settings.port,
        listen_fd=settings.listen_fd,
        loop="uvloop",
        http="httptools",
        log_config=None,
        access_log=False,  # RequestContextMiddleware counts requests; structlog logs problems
        proxy_headers=True,
        server_header=False,
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()
