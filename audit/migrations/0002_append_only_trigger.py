"""The audit trail is append-only at the database level (see audit/triggers.py)."""

from django.db import migrations

from audit import triggers


def up(apps, schema_editor):
    triggers.install(schema_editor.connection)


def down(apps, schema_editor):
    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
