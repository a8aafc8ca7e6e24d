//! The AWS services a file's code calls, as IAM service prefixes (`s3`, `dynamodb`): where a
//! role's permissions policy starts. Data, not code: `CALLS` is how each SDK (and
//! Terraform) names a service in source, `SERVICES` maps those names to IAM prefixes, and
//! `TERRAFORM` maps resource types whose first word is not the prefix. A name in no table
//! is left out: a wrong service is worse than a missing one.

use std::sync::LazyLock;

use regex::bytes::Regex;

/// One way source code names a service: a pattern whose first group is the name, a marker
/// the file must also hold (the SDK's import) so a look-alike call is not read, and a string
/// every match of the pattern holds, so the pattern only runs where it occurs.
struct Call {
    pattern: &'static str,
    requires: Option<&'static str>,
    literal: Option<&'static str>,
    terraform: bool,
}

const CALLS: &[Call] = &[
    // Python: boto3.client('s3'), boto3.resource("dynamodb"), session.client("sqs").
    Call {
        pattern: r#"\.(?:client|resource)\(\s*(?:service_name\s*=\s*)?['"]([a-z0-9-]+)['"]"#,
        requires: Some("boto3"),
        literal: None,
        terraform: false,
    },
    // JavaScript v3: new S3Client(...), from "@aws-sdk/client-s3".
    Call {
        pattern: r"\bnew\s+([A-Z][A-Za-z0-9]*?)Client\(",
        requires: Some("@aws-sdk/"),
        literal: Some("Client("),
        terraform: false,
    },
    // JavaScript v2: new AWS.S3(...).
    Call {
        pattern: r"\bnew\s+AWS\.([A-Za-z0-9]+)\(",
        requires: None,
        literal: Some("AWS."),
        terraform: false,
    },
    // Go v2: s3.NewFromConfig(cfg).
    Call {
        pattern: r"\b([a-z0-9]+)\.NewFromConfig\(",
        requires: None,
        literal: Some(".NewFromConfig("),
        terraform: false,
    },
    // Java v1: AmazonS3ClientBuilder, AWSLambdaAsyncClientBuilder.
    Call {
        pattern: r"\b(?:Amazon|AWS)([A-Za-z0-9]+?)(?:Async)?ClientBuilder\b",
        requires: None,
        literal: Some("ClientBuilder"),
        terraform: false,
    },
    // Java v2: S3Client.builder(), DynamoDbClient.create().
    Call {
        pattern: r"\b([A-Z][A-Za-z0-9]*?)(?:Async)?Client\.(?:builder|create)\(",
        requires: Some("software.amazon.awssdk"),
        literal: Some("Client."),
        terraform: false,
    },
    // Terraform: resource "aws_s3_bucket" "name".
    Call {
        pattern: r#"\bresource\s+"aws_([a-z0-9_]+)""#,
        requires: None,
        literal: Some("\"aws_"),
        terraform: true,
    },
];

/// A service name as SDKs write it, lower case without `-` or `_`, and its IAM prefix.
const SERVICES: &[(&str, &str)] = &[
    ("acm", "acm"),
    ("apigateway", "apigateway"),
    ("apigatewayv2", "apigateway"),
    ("appsync", "appsync"),
    ("athena", "athena"),
    ("autoscaling", "autoscaling"),
    ("backup", "backup"),
    ("batch", "batch"),
    ("bedrock", "bedrock"),
    ("bedrockruntime", "bedrock"),
    ("cloudformation", "cloudformation"),
    ("cloudfront", "cloudfront"),
    ("cloudwatch", "cloudwatch"),
    ("cloudwatchevents", "events"),
    ("cloudwatchlogs", "logs"),
    ("codebuild", "codebuild"),
    ("codepipeline", "codepipeline"),
    ("cognitoidentityprovider", "cognito-idp"),
    ("cognitoidp", "cognito-idp"),
    ("comprehend", "comprehend"),
    ("dynamodb", "dynamodb"),
    ("dynamodbstreams", "dynamodb"),
    ("ec2", "ec2"),
    ("ecr", "ecr"),
    ("ecs", "ecs"),
    ("eks", "eks"),
    ("elasticache", "elasticache"),
    ("elasticloadbalancingv2", "elasticloadbalancing"),
    ("elasticsearch", "es"),
    ("es", "es"),
    ("eventbridge", "events"),
    ("events", "events"),
    ("firehose", "firehose"),
    ("glue", "glue"),
    ("iam", "iam"),
    ("identitymanagement", "iam"),
    ("kinesis", "kinesis"),
    ("kinesisfirehose", "firehose"),
    ("kms", "kms"),
    ("lambda", "lambda"),
    ("logs", "logs"),
    ("opensearch", "es"),
    ("polly", "polly"),
    ("rds", "rds"),
    ("redshift", "redshift"),
    ("rekognition", "rekognition"),
    ("route53", "route53"),
    ("s3", "s3"),
    ("sagemaker", "sagemaker"),
    ("sagemakerruntime", "sagemaker"),
    ("secretsmanager", "secretsmanager"),
    ("securitytokenservice", "sts"),
    ("ses", "ses"),
    ("sesv2", "ses"),
    ("sfn", "states"),
    ("simpleemailservice", "ses"),
    ("simplesystemsmanagement", "ssm"),
    ("sns", "sns"),
    ("sqs", "sqs"),
    ("ssm", "ssm"),
    ("states", "states"),
    ("stepfunctions", "states"),
    ("sts", "sts"),
    ("textract", "textract"),
    ("transcribe", "transcribe"),
    ("translate", "translate"),
];

/// Terraform resource types (after `aws_`) whose service is not their first word: the type
/// is this word or starts with it and `_`.
const TERRAFORM: &[(&str, &str)] = &[
    ("alb", "elasticloadbalancing"),
    ("api_gateway", "apigateway"),
    ("cloudwatch_event", "events"),
    ("cloudwatch_log", "logs"),
    ("cognito_user_pool", "cognito-idp"),
    ("db", "rds"),
    ("ebs", "ec2"),
    ("eip", "ec2"),
    ("instance", "ec2"),
    ("internet_gateway", "ec2"),
    ("kinesis_firehose", "firehose"),
    ("launch_template", "ec2"),
    ("lb", "elasticloadbalancing"),
    ("nat_gateway", "ec2"),
    ("route_table", "ec2"),
    ("security_group", "ec2"),
    ("subnet", "ec2"),
    ("vpc", "ec2"),
];

static COMPILED: LazyLock<Vec<(Regex, &'static Call)>> = LazyLock::new(|| {
    CALLS
        .iter()
        .map(|c| (Regex::new(c.pattern).expect("CALLS patterns compile"), c))
        .collect()
});

fn iam_prefix(name: &[u8]) -> Option<&'static str> {
    let key: String = String::from_utf8_lossy(name)
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect();
    SERVICES.iter().find(|(n, _)| *n == key).map(|(_, p)| *p)
}

fn terraform_prefix(kind: &[u8]) -> Option<&'static str> {
    let kind = std::str::from_utf8(kind).ok()?;
    TERRAFORM
        .iter()
        .find(|(word, _)| {
            kind == *word
                || kind
                    .strip_prefix(word)
                    .is_some_and(|rest| rest.starts_with('_'))
        })
        .map(|(_, p)| *p)
        .or_else(|| iam_prefix(kind.split('_').next()?.as_bytes()))
}

/// The IAM prefixes of the services `content` calls, sorted, each once.
pub fn called(content: &[u8]) -> Vec<&'static str> {
    called_where(content, |m| {
        memchr::memmem::find(content, m.as_bytes()).is_some()
    })
}

/// [`called`], where `has` says whether `content` holds one of the strings of [`markers`]
/// (so a caller can find them all in one pass).
pub fn called_where(content: &[u8], has: impl Fn(&str) -> bool) -> Vec<&'static str> {
    let mut found: Vec<&'static str> = Vec::new();
    for (regex, call) in COMPILED.iter() {
        if call
            .requires
            .into_iter()
            .chain(call.literal)
            .any(|m| !has(m))
        {
            continue;
        }
        for caps in regex.captures_iter(content) {
            let name = &caps[1];
            let prefix = match call.terraform {
                true => terraform_prefix(name),
                false => iam_prefix(name),
            };
            found.extend(prefix);
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// Every marker and literal a `Call` needs.
pub fn markers() -> impl Iterator<Item = &'static str> {
    CALLS
        .iter()
        .flat_map(|c| c.requires.into_iter().chain(c.literal))
}

/// The first string [`called_where`] asks for of each `Call`: its marker, or its literal when
/// it needs no marker; the literal of a `Call` with a marker is asked only where the marker is.
pub fn leads() -> impl Iterator<Item = &'static str> {
    CALLS.iter().filter_map(|c| c.requires.or(c.literal))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_sdk_form() {
        let cases: &[(&str, &[&str])] = &[
            (
                "import boto3\ns3 = boto3.client('s3')\nt = boto3.resource(\"dynamodb\")",
                &["dynamodb", "s3"],
            ),
            (
                "import boto3\nsession.client(service_name='cognito-idp')",
                &["cognito-idp"],
            ),
            (
                "import { S3Client } from \"@aws-sdk/client-s3\";\nnew S3Client({});\nnew SQSClient({})",
                &["s3", "sqs"],
            ),
            (
                "const AWS = require('aws-sdk'); new AWS.S3(); new AWS.DynamoDB.DocumentClient()",
                &["s3"],
            ),
            (
                "client := s3.NewFromConfig(cfg)\nq := sqs.NewFromConfig(cfg)",
                &["s3", "sqs"],
            ),
            (
                "AmazonS3 s3 = AmazonS3ClientBuilder.standard().build(); AWSLambdaAsyncClientBuilder.defaultClient();",
                &["lambda", "s3"],
            ),
            (
                "import software.amazon.awssdk.services.s3.S3Client;\nS3Client.builder().build(); DynamoDbClient.create();",
                &["dynamodb", "s3"],
            ),
            (
                "resource \"aws_s3_bucket\" \"b\" {}\nresource \"aws_instance\" \"web\" {}\nresource \"aws_cloudwatch_log_group\" \"l\" {}\nresource \"aws_db_instance\" \"d\" {}",
                &["ec2", "logs", "rds", "s3"],
            ),
        ];
        for (code, want) in cases {
            assert_eq!(called(code.as_bytes()), *want, "{code}");
        }
    }

    #[test]
    fn look_alikes_are_not_services() {
        // No boto3 import; no @aws-sdk import; unknown names.
        assert!(called(b"requests.client('s3')").is_empty());
        assert!(called(b"new HttpClient(); new S3Client()").is_empty());
        assert!(called(b"import boto3\nboto3.client('not-a-service')").is_empty());
        assert!(called(b"resource \"google_storage_bucket\" \"b\" {}").is_empty());
        assert!(called(b"").is_empty());
    }
}
