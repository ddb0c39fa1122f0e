"""Environment for the test suite, loaded by pytest (`-p config.test_env`) before Django.

Tests run with DEBUG off, as production does. Keys here are fixed, public and test-only.
These values replace whatever the shell has (a developer's DEBUG=1 must not change what the
tests see); only DATABASE_URL comes from the environment, to choose SQLite or PostgreSQL.
"""

import os

_DEFAULTS = {
    "DEBUG": "0",
    "SECRET_KEY": "test-secret-key-not-secret-only-for-the-test-suite-0123456789",
    "FIELD_ENCRYPTION_KEYS": "Q1b8t1Gm0l3k9o2sH8yD5Xn3vBv8ZcV2kRrT7wYqJ0E=",
    "BLIND_INDEX_KEY": "test-blind-index-key-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "STATIC_MANIFEST": "0",
    "AMPARO_REQUIRE_MFA": "0",
    "AMPARO_DEMO": "0",
    "AMPARO_VAR_DIR": os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"),
}
os.environ.update(_DEFAULTS)
for _name in (
    "EMAIL_BACKEND",
    "TRUSTED_PROXY_COUNT",
    "SESSION_IDLE_SECONDS",
    "SESSION_ABSOLUTE_SECONDS",
    "AMPARO_ERASURE_LEDGER",
    "AMPARO_MAX_UPLOAD_BYTES",
):
    os.environ.pop(_name, None)
