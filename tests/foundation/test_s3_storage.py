"""Files on shared S3 storage: uploads and generated reports round-trip through a real S3 API.

A session fixture starts moto's standalone server (a real HTTP S3 API) on 127.0.0.1; each test
points the default and the reports storage at a fresh bucket with ``override_settings``. The
receipt goes in through the claim form and comes out through the permission view; the report
is rendered by reports.services on "the worker" and served by the view from the bucket. Without
moto the tests skip, except in CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from budgets.models import ExpenseClaim
from budgets.services import book_grant
from buurtplatform import pdf
from reports import services
from reports.models import ReportJob
from tests.budgets.conftest import png_upload
from tests.budgets.factories import granted_decision
from tests.reports.conftest import pdf_text

ACCESS_KEY = "buurtplatform-test"
SECRET_KEY = "buurtplatform-test-secret"
REGION = "us-east-1"
PLATFORM_URL = "/platforms/samen-sterk-test/verslag/2026.pdf"


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"S3 test server required in CI: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """A moto S3 server on 127.0.0.1, answering before the first test uses it."""
    try:
        import boto3  # noqa: F401
        import moto.server  # noqa: F401
        import storages.backends.s3  # noqa: F401
    except ImportError as exc:
        _unavailable(f"moto[server], boto3 or django-storages is not installed: {exc}")
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120  # moto imports a lot; slow on a busy machine
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    _unavailable(f"moto_server did not answer on {endpoint}")
                time.sleep(0.2)
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _client(endpoint: str):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


def _storages(endpoint: str, bucket: str, *, public_url: str = "") -> dict:
    """What settings.py builds from STORAGE_URL=s3://<bucket>?endpoint_url=<endpoint>&..."""
    common = {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": REGION,
        "addressing_style": "path",
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
    }
    return {
        "default": {
            "BACKEND": "buurtplatform.storage.BucketStorage",
            "OPTIONS": {**common, "public_url": public_url},
        },
        "reports": {
            "BACKEND": "buurtplatform.storage.BucketStorage",
            "OPTIONS": {**common, "location": "reports"},
        },
        "staticfiles": settings.STORAGES["staticfiles"],
    }


@pytest.fixture
def bucket(s3_endpoint):
    """A fresh bucket that the default and the reports storage point at."""
    name = f"buurtplatform-{uuid.uuid4().hex[:12]}"
    s3 = _client(s3_endpoint)
    s3.create_bucket(Bucket=name)
    with override_settings(STORAGES=_storages(s3_endpoint, name)):
        yield s3, name


def _keys(s3, bucket: str) -> list[str]:
    return sorted(obj["Key"] for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []))


def _local_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def budget(platform, support_staff2):
    return book_grant(decision=granted_decision(platform=platform), by=support_staff2)


@pytest.mark.django_db
def test_receipt_goes_to_the_bucket_and_back_through_the_permission_view(
    bucket, client_for, member, coordinator, budget, platform
):
    s3, name = bucket
    upload = png_upload("kassabon.png")
    response = client_for(member).post(
        reverse("budgets:claim_create", args=[platform.slug, budget.pk]),
        {
            "budget_line": budget.lines.first().pk,
            "amount": "42.50",
            "expense_date": "2026-04-02",
            "payee_name": "Jan Jansen",
            "iban": "NL91 ABNA 0417 1643 00",
            "description": "Koffie",
            "receipts": [upload],
        },
    )
    assert response.status_code == 302, response.content[:500]
    receipt = ExpenseClaim.objects.get().receipts.get()
    assert receipt.file.name.startswith("private/receipts/")
    assert _keys(s3, name) == [receipt.file.name]
    assert _local_files() == []  # nothing on this machine's disk
    stored = s3.get_object(Bucket=name, Key=receipt.file.name)["Body"].read()
    # Private objects have no public grant (nobody but the bucket owner may read them).
    grants = s3.get_object_acl(Bucket=name, Key=receipt.file.name)["Grants"]
    assert not [g for g in grants if g["Grantee"].get("URI", "").endswith("/AllUsers")]

    url = reverse("budgets:receipt_download", args=[receipt.claim_id, receipt.pk])
    response = client_for(member).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    with Image.open(io.BytesIO(stored)) as image:  # the re-encoded upload, not something else
        assert image.size == (20, 20)
    # The permission check stays the authority: no one else, and no address around it.
    assert client_for(coordinator).get(url).status_code == 404
    assert receipt.file.url == f"/media/{receipt.file.name}"
    assert client_for(member).get(receipt.file.url).status_code == 404


@pytest.mark.django_db
def test_report_made_by_a_worker_is_served_from_the_bucket(bucket, scenario, client):
    s3, name = bucket
    job = services.request_report(kind="platform_year", key="samen-sterk-test/2026")
    services.generate_report(job_id=job.pk)  # what the worker machine runs
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE
    key = f"reports/{job.file_path}"
    assert _keys(s3, name) == [key]
    assert not (Path(settings.REPORTS_ROOT) / job.file_path).exists()
    stored = s3.get_object(Bucket=name, Key=key)["Body"].read()
    assert services.is_ready(job, services.compute_fingerprint(job.kind, job.key))

    response = client.get(PLATFORM_URL)  # the web machine
    assert response.status_code == 200
    served = b"".join(response.streaming_content)
    assert served == stored
    assert response["X-Report-SHA256"] == job.sha256
    assert "Samen Sterk Test" in pdf_text(served)

    # A lost object reads as "not made": the next request queues it again.
    s3.delete_object(Bucket=name, Key=key)
    assert services.report_file(job) is None


@pytest.mark.django_db
def test_a_bucket_that_refuses_writes_is_a_transient_report_failure(s3_endpoint, scenario):
    missing = f"no-such-bucket-{uuid.uuid4().hex[:8]}"
    with override_settings(STORAGES=_storages(s3_endpoint, missing)):
        job = services.request_report(kind="platform_year", key="samen-sterk-test/2026")
        with pytest.raises(services.TransientReportError):
            services.generate_report(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED
    assert job.last_error.startswith("opslaan mislukt")


@pytest.mark.django_db
def test_public_images_come_from_the_bucket(s3_endpoint, bucket, client):
    s3, name = bucket
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    saved = default_storage.save("public/logos/logo.png", ContentFile(buffer.getvalue()))
    assert saved == "public/logos/logo.png"
    # Without public_url the site streams public/ from the bucket at /media/public/.
    assert default_storage.url(saved) == "/media/public/logos/logo.png"
    response = client.get("/media/public/logos/logo.png")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == buffer.getvalue()
    assert client.get("/media/public/logos/missing.png").status_code == 404
    default_storage.save("private/evidence/secret.png", ContentFile(buffer.getvalue()))
    assert client.get("/media/public/../private/evidence/secret.png").status_code == 404
    # The PDF renderer's fetcher reads public media from the bucket, and nothing else.
    fetcher = pdf.make_url_fetcher()
    assert fetcher.fetch("media:public/logos/logo.png").read() == buffer.getvalue()
    for refused in ("media:private/evidence/secret.png", "media:public/../private/x.png"):
        with pytest.raises(pdf.BlockedURL):
            fetcher.fetch(refused)
    # With public_url (a bucket policy gives public/* anonymous read) the bucket serves it.
    public = f"{s3_endpoint}/{name}"
    with override_settings(STORAGES=_storages(s3_endpoint, name, public_url=public)):
        assert default_storage.url(saved) == f"{public}/public/logos/logo.png"
        assert default_storage.url("private/evidence/secret.png") == (
            "/media/private/evidence/secret.png"
        )


@pytest.fixture
def scenario(db):
    from tests.reports.factories import granted_scenario

    return granted_scenario()


def test_storage_url_is_parsed_and_checked(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from buurtplatform.env import env_bucket

    monkeypatch.delenv("STORAGE_URL", raising=False)
    assert env_bucket("STORAGE_URL") is None  # unset: the local disk, as before
    monkeypatch.setenv(
        "STORAGE_URL", "s3://files?endpoint_url=http://minio:9000&region=us-east-1&public_url=x"
    )
    assert env_bucket("STORAGE_URL") == {
        "bucket": "files",
        "endpoint_url": "http://minio:9000",
        "region": "us-east-1",
        "public_url": "x",
    }
    for bad in ("http://files", "s3://", "s3://files/prefix", "s3://files?acl=public-read"):
        monkeypatch.setenv("STORAGE_URL", bad)
        with pytest.raises(ImproperlyConfigured, match="STORAGE_URL must look like"):
            env_bucket("STORAGE_URL")
