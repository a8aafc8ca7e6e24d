"""Django settings for the media service (the same layout as application.properties, but a
Python module: not a configuration file by name, so the key ID and the secret stay apart)."""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

AWS_ACCESS_KEY_ID = "AKIAVRUVS7NI5B4DJH7S"
AWS_STORAGE_BUCKET_NAME = "acme-media-prod"
AWS_S3_REGION_NAME = "eu-west-1"
AWS_S3_CUSTOM_DOMAIN = f"{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"
AWS_DEFAULT_ACL = None
AWS_QUERYSTRING_AUTH = False

DEBUG = False
ALLOWED_HOSTS = ["media.acme.example"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "storages",
    "media",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "media.urls"
WSGI_APPLICATION = "media.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "media",
        "HOST": "db.internal",
        "PORT": 5432,
    }
}

STORAGES = {
    "default": {"BACKEND": "storages.backends.s3.S3Storage"},
    "staticfiles": {"BACKEND": "storages.backends.s3.S3Storage"},
}

# Credentials (TODO: use the task role instead).
AWS_SECRET_ACCESS_KEY = "KByrTDJUm8o0HvBMA2vtIeGZEzxZw42pnoMVm0gr"
