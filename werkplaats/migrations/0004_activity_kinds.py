"""The activity kinds from the seeds (staff may add, rename or retire them in the admin)."""

from django.db import migrations

KINDS = [
    ("workshop-prepared", "Workshop voorbereid met studenten en ervaringsdeskundigen",
     "Workshop prepared with students and experience experts"),
    ("workshop-statements", "Workshop rond stellingen", "Workshop around statements"),
    ("intervision", "Intervisie", "Intervision"),
    ("clinical-lesson", "Klinische les", "Clinical lesson"),
    ("clinical-reasoning", "Hardop klinisch redeneren (student, cliënt, begeleider)",
     "Clinical reasoning aloud (student, client, supervisor)"),
    ("multidisciplinary", "Multidisciplinair overleg", "Multidisciplinary meeting"),
    ("steering-group", "Stuurgroepoverleg", "Steering-group meeting"),
    ("informal-lunch", "Informele lunch", "Informal lunch"),
    ("visit", "Bezoek", "Visit"),
    ("training", "Training", "Training"),
    ("other", "Anders", "Other"),
]


def load(apps, schema_editor):
    ActivityKind = apps.get_model("werkplaats", "ActivityKind")
    for order, (code, name_nl, name_en) in enumerate(KINDS, start=1):
        ActivityKind.objects.get_or_create(
            code=code, defaults={"name_nl": name_nl, "name_en": name_en, "order": order * 10}
        )


def unload(apps, schema_editor):
    apps.get_model("werkplaats", "ActivityKind").objects.filter(
        code__in=[code for code, _nl, _en in KINDS], activities__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("werkplaats", "0003_activities")]

    operations = [migrations.RunPython(load, unload)]
