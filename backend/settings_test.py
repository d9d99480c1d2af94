"""Settings for the test suite: the same settings, with a file SQLite database (threads and the
worker process share it), fast password hashing and plain static storage.

DATABASE_URL and CELERY_BROKER_URL still apply, so CI runs this suite on PostgreSQL and Redis.
"""

import hashlib
import os
import tempfile
from pathlib import Path

# One temporary folder per checkout (and user), so two checkouts can run their suites at the same time.
_CHECKOUT = hashlib.sha1(str(Path(__file__).resolve().parent.parent).encode()).hexdigest()[:8]
os.environ.setdefault("SICRM_VAR_DIR", str(Path(tempfile.gettempdir()) / f"sicrm-test-{os.getuid()}-{_CHECKOUT}"))

from backend.settings import *  # noqa: E402,F403
from backend.settings import DATABASES, STATIC_ROOT, VAR_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    # Tests never need a commit to survive a crash of the server: PostgreSQL acknowledges it before the WAL
    # reaches the disk (the demo loads in about 15 % less time; nothing else changes).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c synchronous_commit=off".strip()
