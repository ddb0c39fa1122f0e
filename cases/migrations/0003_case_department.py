import django.db.models.deletion
from django.db import migrations, models


def copy_department(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Survivor = apps.get_model("survivors", "Survivor")
    Case.objects.update(
        department_id=models.Subquery(
            Survivor.objects.filter(pk=models.OuterRef("survivor_id")).values("department_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_remove_case_cases_case_organis_66f66d_idx_and_more"),
        ("jurisdictions", "0001_initial"),
        ("survivors", "0003_survivor_survivors_s_departm_81e513_idx"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="department",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="jurisdictions.department",
            ),
        ),
        migrations.RunPython(copy_department, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="case",
            name="department",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="jurisdictions.department",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["organisation", "department", "-updated_at", "-id"],
                name="cases_case_organis_22ddde_idx",
            ),
        ),
    ]
