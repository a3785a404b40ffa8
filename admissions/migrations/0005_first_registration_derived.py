"""The first registration is derived from earlier registrations (R-FEE-1); what an
applicant declared before ("not my first") is kept as the centre's setting, with its
reason, so that no quote already made changes."""

from django.db import migrations, models

DECLARED = "Déclaré par le candidat avant le calcul automatique."


def keep_declarations(apps, schema_editor):
    Dossier = apps.get_model("admissions", "Dossier")
    Dossier.objects.filter(first_registration=False).update(
        first_registration_override=False, first_registration_reason=DECLARED
    )


def restore_declarations(apps, schema_editor):
    Dossier = apps.get_model("admissions", "Dossier")
    Dossier.objects.filter(first_registration_override=False).update(first_registration=False)


class Migration(migrations.Migration):
    dependencies = [
        ("admissions", "0004_dossier_anonymised_on_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="first_registration_override",
            field=models.BooleanField(
                blank=True, null=True, verbose_name="première inscription au centre, fixée par le centre"
            ),
        ),
        migrations.AddField(
            model_name="dossier",
            name="first_registration_reason",
            field=models.CharField(
                blank=True, max_length=300, verbose_name="motif (première inscription fixée)"
            ),
        ),
        migrations.AddField(
            model_name="historicaldossier",
            name="first_registration_override",
            field=models.BooleanField(
                blank=True, null=True, verbose_name="première inscription au centre, fixée par le centre"
            ),
        ),
        migrations.AddField(
            model_name="historicaldossier",
            name="first_registration_reason",
            field=models.CharField(
                blank=True, max_length=300, verbose_name="motif (première inscription fixée)"
            ),
        ),
        migrations.RunPython(keep_declarations, restore_declarations),
        migrations.RemoveField(model_name="dossier", name="first_registration"),
        migrations.RemoveField(model_name="historicaldossier", name="first_registration"),
    ]
