from __future__ import annotations

from allauth.mfa.adapter import DefaultMFAAdapter

from crypto.keys import decrypt_with, encrypt_with, master


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are stored encrypted under the master keys (and
    re-encrypted by `rotate_encryption_keys`), never in the clear."""

    def encrypt(self, text: str) -> str:
        return encrypt_with(master(), text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_with(master(), encrypted_text)
