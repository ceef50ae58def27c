"""Create the bucket of ``ELEARN_STORAGE_URL`` unless it exists (compose's one-shot bucket-init)."""

from __future__ import annotations

from urllib.parse import urlsplit

import boto3
from botocore.exceptions import ClientError

from elearn.config import Settings


def main() -> None:
    settings = Settings.from_env()
    location = urlsplit(settings.storage_url)
    if location.scheme != "s3":
        raise SystemExit(f"ELEARN_STORAGE_URL is not s3://bucket: {settings.storage_url}")
    s3 = boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url or None,
        region_name=settings.s3_region,
        aws_access_key_id=settings.s3_access_key_id or None,
        aws_secret_access_key=settings.s3_secret_access_key or None,
    )
    try:
        s3.head_bucket(Bucket=location.netloc)
        print(f"bucket {location.netloc} exists")
    except ClientError:
        s3.create_bucket(Bucket=location.netloc)
        print(f"bucket {location.netloc} created")


if __name__ == "__main__":
    main()
