"""Drives a moto server for tests/cli/verify_moto.rs and role_setup.rs, through boto3
(installed with moto).

    moto_helper.py ENDPOINT setup              -> {"key_id", "secret", "arn"}
    moto_helper.py ENDPOINT assume KEY SECRET  -> {"key_id", "secret", "token", "arn"}
    moto_helper.py ENDPOINT delete KEY SECRET  -> {}
    moto_helper.py ENDPOINT trust NAME POLICY  -> {"arn", "policy"}: create_role with POLICY
                                                  (JSON) as its trust policy, then get_role;
                                                  {"error"} when IAM refuses it

moto checks a trust policy's grammar (Version, Statement, Effect, Principal, sts: actions
only, no Resource, condition operators) in update_assume_role_policy, not in create_role:
`trust` calls both, with the same document.

`setup` makes exactly SETUP_CALLS requests, all before moto starts checking signatures (the
server runs with INITIAL_NO_AUTH_ACTION_COUNT=SETUP_CALLS): a user allowed everything, its
access key, and a role it may assume. `assume` and `delete` are signed with that user's key,
so they work only while the key does. boto3 signs independently of keyleak: moto accepting
keyleak's requests afterwards checks keyleak's SigV4 against botocore's.
"""

import json
import sys

import boto3

SETUP_CALLS = 4
ACCOUNT = "123456789012"
ALLOW_ALL = {"Version": "2012-10-17",
             "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
TRUST_ACCOUNT = {"Version": "2012-10-17",
                 "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/leaky-ci"}}]}


def client(endpoint, service, key="AKIAIOSFODNN7EXAMPLE", secret="unused-before-auth"):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret)


def main():
    endpoint, action, *rest = sys.argv[1:]
    if action == "setup":
        iam = client(endpoint, "iam")
        iam.create_user(UserName="leaky-ci")
        iam.put_user_policy(UserName="leaky-ci", PolicyName="all",
                            PolicyDocument=json.dumps(ALLOW_ALL))
        key = iam.create_access_key(UserName="leaky-ci")["AccessKey"]
        iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=json.dumps(TRUST_ACCOUNT))
        out = {"key_id": key["AccessKeyId"], "secret": key["SecretAccessKey"],
               "arn": f"arn:aws:iam::{ACCOUNT}:user/leaky-ci"}
    elif action == "assume":
        key, secret = rest
        creds = client(endpoint, "sts", key, secret).assume_role(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/deployer", RoleSessionName="ci-job")
        out = {"key_id": creds["Credentials"]["AccessKeyId"],
               "secret": creds["Credentials"]["SecretAccessKey"],
               "token": creds["Credentials"]["SessionToken"],
               "arn": creds["AssumedRoleUser"]["Arn"]}
    elif action == "delete":
        key, secret = rest
        client(endpoint, "iam", key, secret).delete_access_key(UserName="leaky-ci",
                                                             AccessKeyId=key)
        out = {}
    elif action == "trust":
        name, policy = rest
        iam = client(endpoint, "iam")
        try:
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=policy)
            iam.update_assume_role_policy(RoleName=name, PolicyDocument=policy)
        except iam.exceptions.MalformedPolicyDocumentException as e:
            out = {"error": e.response["Error"]["Code"]}
        else:
            role = iam.get_role(RoleName=name)["Role"]
            out = {"arn": role["Arn"], "policy": role["AssumeRolePolicyDocument"]}
    else:
        sys.exit(f"unknown action {action}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
