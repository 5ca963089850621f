"""`python -m services.web`: the console under uvicorn, host/port from settings."""

from __future__ import annotations

from services.web.app import create_app
from services.web.settings import WebSettings
from shared.logging import configure_logging
from shared.runtime.heap import freeze_startup_heap
from shared.runtime.http_server import serve


def main() -> None:
    settings = WebSettings()
    configure_logging("web", settings.log_format)
    app = create_app(settings)
    freeze_startup_heap()  # its templates, routes and models stay out of later collections
    serve(
        app,
        host=settings.host,
        port=settings.port,
        listen_fd=settings.listen_fd,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        server_header=False,
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main()
