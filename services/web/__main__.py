"""`python -m services.web`: the console under uvicorn, host/port from settings."""

from __future__ import annotations

import uvicorn

from services.web.app import create_app
from services.web.settings import WebSettings
from shared.logging import configure_logging


def main() -> None:
    settings = WebSettings()
    configure_logging("web", settings.log_format)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        server_header=False,
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main()
