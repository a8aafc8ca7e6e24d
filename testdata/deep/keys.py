import boto3

KEY = bytes.fromhex("41 4b 49 41 46 52 55 56 53 37 4e 49 35 50 47 54 52 32 50 4f").decode()
SECRET = bytes.fromhex(
    "39 6c 7a 6c 34 4f 32 79 59 62 2f 32 68 69 37 48 4d 61 46 6c 32 7a 57 39 54 73 46 36 63 66 41 6e 58 65 47 35 48 58 6b 70"
).decode()
s3 = boto3.client("s3", aws_access_key_id=KEY, aws_secret_access_key=SECRET)
