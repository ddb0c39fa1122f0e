"""Demo organisations and one account per role. Fictional; all share one password."""

from __future__ import annotations

from accounts.models import User
from organisations.models import Membership, Organisation, OrganisationKind, Role

DEMO_PASSWORD = "amparo-demo"  # noqa: S105 - published demo password, README lists it
DOMAIN = "demo.amparo.bo"

ORGANISATIONS = [
    ("ong-la-paz", "Casa Amparo (ONG)", OrganisationKind.NGO, "La Paz"),
    (
        "red-voluntariado",
        "Red de abogadas y trabajadoras sociales voluntarias",
        OrganisationKind.VOLUNTEER_NETWORK,
        "El Alto",
    ),
    (
        "consultorio-umsa",
        "Consultorio jurídico universitario",
        OrganisationKind.LEGAL_CLINIC,
        "Cochabamba",
    ),
    ("slim-el-alto", "SLIM El Alto", OrganisationKind.PUBLIC_SERVICE, "El Alto"),
]

# (email local part, organisation slug, role); the coordinator also belongs to the volunteer
# network so the organisation switcher has something to switch.
ACCOUNTS = [
    *[(role.value, "ong-la-paz", role.value) for role in Role],
    ("coordinator", "red-voluntariado", Role.COORDINATOR.value),
    ("outsider", "slim-el-alto", Role.LAWYER.value),
]


def seed() -> list[tuple[str, str, str]]:
    orgs = {}
    for slug, name, kind, city in ORGANISATIONS:
        orgs[slug], _ = Organisation.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "city": city}
        )
    listed = []
    for local, slug, role in ACCOUNTS:
        email = f"{local}@{DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email, DEMO_PASSWORD, name=local.replace("_", " ").title()
            )
        Membership.objects.get_or_create(
            user=user, organisation=orgs[slug], defaults={"role": role}
        )
        listed.append((email, orgs[slug].name, str(Role(role).label)))
    admin_email = f"platform@{DOMAIN}"
    if not User.objects.filter(email=admin_email).exists():
        User.objects.create_superuser(admin_email, DEMO_PASSWORD, name="Platform Admin")
    listed.append((admin_email, "—", "platform admin"))
    return listed
