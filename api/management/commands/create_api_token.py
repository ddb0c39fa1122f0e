from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from api.services import api_token_create
from organisations.models import Organisation


class Command(BaseCommand):
    help = "Create a personal API token for a user in one organisation; prints the token once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="the person's email")
        parser.add_argument("--org", required=True, help="the organisation's slug")
        parser.add_argument("--name", default="command line")
        parser.add_argument("--days", type=int, default=90)

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["user"].strip(), is_active=True).first()
        if user is None:
            raise CommandError("No active user with that email.")
        org = Organisation.objects.filter(slug=options["org"].strip(), is_active=True).first()
        if org is None:
            raise CommandError("No active organisation with that slug.")
        try:
            token, secret = api_token_create(
                user=user, organisation_id=org.pk, name=options["name"], days=options["days"]
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stderr.write(
            f"Token created; it expires {token.expires_at:%Y-%m-%d}. Shown only once:"
        )
        self.stdout.write(secret)
