terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region     = "us-west-2"
  access_key = "AKIAS73GWDLBGCYVAFWN"
  secret_key = "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"
}

resource "aws_s3_bucket" "artifacts" {
  bucket = "acme-build-artifacts"
}
