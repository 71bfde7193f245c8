"""A local S3-compatible server for the tests of the S3 files store: moto's, in a thread.

`s3_endpoint` (session): the server's address; `s3_bucket` (per test): a new empty bucket on
it; `s3_store`: an S3Store on that bucket. The server answers HTTP/1.0 (no kept-alive
connections), logs nothing, and leaves no thread behind once stopped.

Use it in a test module with `from tests.s3_steps import s3_bucket, s3_endpoint, s3_store`.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from citations.attachments.store import S3Store

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

KEY = SECRET = "test"
REGION = "us-east-1"
_buckets = itertools.count(1)


def s3_client(endpoint: str) -> S3Client:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
    )


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 on a free port of 127.0.0.1, for the whole session."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    class Quiet(MotoRequestHandler):
        # A connection per request: no handler thread waits on a client's idle connection.
        protocol_version = "HTTP/1.0"

        def log(self, type: str, message: str, *args: Any) -> None:
            """Nothing on the console for each request."""

    before = set(threading.enumerate())
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    serving = threading.Thread(target=server.serve_forever, name="moto-s3", daemon=True)
    serving.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        serving.join(timeout=10)
        server.server_close()
        for left in set(threading.enumerate()) - before:
            left.join(timeout=10)  # a request's thread finishing its answer


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> str:
    """A new, empty bucket for one test."""
    name = f"citations-test-{next(_buckets)}"
    s3_client(s3_endpoint).create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3_store(s3_endpoint: str, s3_bucket: str) -> S3Store:
    return S3Store(s3_client(s3_endpoint), s3_bucket)
