"""Re-encrypt everything that the master keys protect under the newest master key."""

from __future__ import annotations

from collections.abc import Callable

from cryptography.fernet import InvalidToken, MultiFernet
from django.apps import apps
from django.db import models, transaction

from crypto.fields import EncryptedTextField
from crypto.keys import DecryptionError, master
from crypto.models import DataKey

BATCH = 500


def _master_encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    found = []
    for model in apps.get_models():
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, EncryptedTextField) and f.data_key_field is None
        ]
        if names:
            found.append((model, names))
    return found


def rotate_all(progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Data keys are re-wrapped (the data they protect stays encrypted under them);
    master-encrypted fields are re-encrypted. One transaction: all or nothing."""
    fernet = master()
    counts: dict[str, int] = {}
    with transaction.atomic():
        targets: list[tuple[type[models.Model], list[str]]] = [
            (DataKey, ["wrapped"]),
            *_master_encrypted_fields(),
        ]
        for model, names in targets:
            done = 0
            rows = model._base_manager.only("pk", *names).order_by("pk")
            for obj in rows.iterator(chunk_size=BATCH):
                changed = []
                for name in names:
                    token = obj.__dict__.get(name)
                    if token:
                        try:
                            rotated = fernet.rotate(str(token).encode("ascii"))
                        except InvalidToken as exc:
                            raise DecryptionError(f"{model._meta.label} {obj.pk}") from exc
                        obj.__dict__[name] = type(token)(rotated.decode("ascii"))
                        changed.append(name)
                if changed:
                    model._base_manager.filter(pk=obj.pk).update(
                        **{n: obj.__dict__[n] for n in changed}
                    )
                    done += 1
            counts[model._meta.label] = done
            if progress:
                progress(model._meta.label, done)
        counts["mfa.Authenticator"] = _rotate_authenticator_secrets(fernet)
        if progress:
            progress("mfa.Authenticator", counts["mfa.Authenticator"])
    return counts


def _rotate_authenticator_secrets(fernet: MultiFernet) -> int:
    """allauth keeps TOTP secrets and recovery-code seeds in a JSON column, encrypted by our
    MFA adapter under the master keys."""
    from allauth.mfa.models import Authenticator

    done = 0
    for authenticator in Authenticator.objects.filter(
        type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
    ).iterator(chunk_size=BATCH):
        data = dict(authenticator.data)
        for key in ("secret", "seed"):
            if data.get(key):
                try:
                    data[key] = fernet.rotate(data[key].encode("ascii")).decode("ascii")
                except InvalidToken as exc:
                    raise DecryptionError(f"mfa.Authenticator {authenticator.pk}") from exc
        Authenticator.objects.filter(pk=authenticator.pk).update(data=data)
        done += 1
    return done
