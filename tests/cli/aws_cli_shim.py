"""A stand-in for the `aws` command, for tests/cli/role_cmd_tools.rs: runs the shell script
`keyleak role` writes, as pasted, against the moto server at $KEYLEAK_MOTO_ENDPOINT.

    aws SERVICE OPERATION --param VALUE [VALUE...] ...  -> the response as JSON, or exit 1

Names map as the AWS CLI maps them (botocore's `xform_name`: `create-role` is CreateRole,
`--client-id-list` is ClientIDList); `file://PATH` is the file's text; a list parameter takes
every value up to the next `--`. boto3 (a moto dependency) makes the call, to 127.0.0.1 only.
"""

import json
import os
import sys

import boto3
from botocore import xform_name


def main():
    service, operation, *args = sys.argv[1:]
    client = boto3.client(service, endpoint_url=os.environ["KEYLEAK_MOTO_ENDPOINT"],
                          region_name="us-east-1", aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
                          aws_secret_access_key="unused-by-an-open-moto")
    model = client.meta.service_model
    name = next(o for o in model.operation_names if xform_name(o, "-") == operation)
    members = model.operation_model(name).input_shape.members
    params, i = {}, 0
    while i < len(args):
        flag = args[i]
        member = next(m for m in members if "--" + xform_name(m, "-") == flag)
        values, i = [], i + 1
        while i < len(args) and not args[i].startswith("--"):
            value = args[i]
            values.append(open(value[7:]).read() if value.startswith("file://") else value)
            i += 1
        params[member] = values if members[member].type_name == "list" else values[0]
    try:
        response = getattr(client, xform_name(name))(**params)
    except client.exceptions.ClientError as e:
        sys.exit(f"aws {service} {operation}: {e.response['Error']['Code']}: {e}")
    response.pop("ResponseMetadata", None)
    print(json.dumps(response, default=str))


if __name__ == "__main__":
    main()
