"""A local S3-compatible server (moto's, over real HTTP) for the blob store's tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from shared.runtime.nats_server import free_port

TEST_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_DEFAULT_REGION": "us-east-1"}  # fmt: skip


@contextmanager
def moto_s3() -> Iterator[str]:
    """Start moto's server on a free loopback port; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def create_bucket(endpoint: str, name: str) -> None:
    import boto3

    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}  # moto takes any
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **keys)
    s3.create_bucket(Bucket=name)
