from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save()
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        """A platform admin: manages organisations, can read no survivor data."""
        return self.create_user(email, password, is_platform_admin=True, **extra)


class User(AbstractBaseUser):
    """A person who signs in: staff and volunteers of partner organisations.

    What she may see comes from her memberships (organisations app), never from this row.
    """

    email = models.EmailField(_("correo electrónico"), unique=True)
    name = models.CharField(_("nombre"), max_length=150, blank=True)
    is_active = models.BooleanField(_("activa"), default=True)
    is_platform_admin = models.BooleanField(_("administra la plataforma"), default=False)
    date_joined = models.DateTimeField(_("alta"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("usuaria")
        verbose_name_plural = _("usuarias")

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def display_name(self) -> str:
        return self.name or self.email
