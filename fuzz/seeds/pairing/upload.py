"""Nightly export of invoices to S3."""
import datetime

import boto3

s3 = boto3.client(
    "s3",
    region_name="eu-west-1",
    aws_access_key_id="AKIA2PSAGESI2SSAKGP4",
    aws_secret_access_key="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",
)


def upload(path: str) -> None:
    key = f"invoices/{datetime.date.today():%Y/%m/%d}/{path}"
    s3.upload_file(path, "acme-invoices", key)
