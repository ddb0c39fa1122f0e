"""Write var/dev.env with fresh development keys, once. Never used in production."""

import base64
import secrets
import sys
from pathlib import Path


def main() -> None:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "var/dev.env")
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fernet_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    lines = [
        "DEBUG=1",
        "AMPARO_DEMO=1",
        "AMPARO_REQUIRE_MFA=0",
        f"SECRET_KEY={secrets.token_urlsafe(50)}",
        f"FIELD_ENCRYPTION_KEYS={fernet_key}",
        f"BLIND_INDEX_KEY={secrets.token_urlsafe(48)}",
    ]
    target.write_text("\n".join(lines) + "\n")
    target.chmod(0o600)
    print(f"Development keys written to {target} (git-ignored).")  # noqa: T201


if __name__ == "__main__":
    main()
