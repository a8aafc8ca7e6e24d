import unittest

import botocore.auth
import botocore.credentials


class TestHMACV1(unittest.TestCase):
    # The S3 REST authentication examples of the S3 Developer Guide.
    def setUp(self):
        access_key = '44CF9590006BF252F707'
        secret_key = 'OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV'
        self.credentials = botocore.credentials.Credentials(access_key, secret_key)
        self.hmacv1 = botocore.auth.HmacV1Auth(self.credentials, None, None)


class TestS3DeveloperGuide2006(unittest.TestCase):
    AWS_ACCESS_KEY_ID = "0PN5J17HBGZHT7JJ3X82"
    AWS_SECRET_ACCESS_KEY = "uV3F3YluFJax1cknvbcGwgjvx4QpvB+leU8dUj2o"


class TestIntegration(unittest.TestCase):
    # Not a sample: someone's own key, pasted next to them.
    AWS_ACCESS_KEY_ID = "AKIAKPSAGESI7LE46I7V"
    AWS_SECRET_ACCESS_KEY = "NSSqnmKDKoSdBZz3Qaaew8/hzQjlgGMNVMDcuPBw"
