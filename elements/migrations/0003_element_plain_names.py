"""Plain-language (B1) titles of the six elements, for clients and experience experts.

The questionnaire shows clients these instead of the code and the official name. Each is the
element's own meaning in everyday words (from its explanation in 0002 and the article's
narratives), not a translation of the name. The admin may correct them later.
"""

from django.db import migrations, models

PLAIN_NAMES = {
    # code: (Dutch B1, English plain)
    "LOS": ("Samen leren en onderzoeken", "Learning and finding out together"),
    "GOC": ("Groeien in een open, veilige sfeer", "Growing in an open, safe atmosphere"),
    "SRI": (
        "Samen doelen kiezen en het werk regelen",
        "Choosing goals and organising the work together",
    ),
    "VMM": ("Genoeg mensen, tijd, ruimte en hulpmiddelen", "Enough people, time, space and tools"),
    "LeA": ("Leiding delen en zelf kiezen", "Sharing the lead, making your own choices"),
    "VOR": (
        "Elkaar kennen, vertrouwen en erbij horen",
        "Knowing and trusting each other, and belonging",
    ),
}


def fill(apps, schema_editor):
    Element = apps.get_model("elements", "Element")
    for code, (plain_nl, plain_en) in PLAIN_NAMES.items():
        Element.objects.filter(code=code).update(plain_name_nl=plain_nl, plain_name_en=plain_en)


class Migration(migrations.Migration):
    dependencies = [("elements", "0002_reference_data")]

    operations = [
        migrations.AddField(
            model_name="element",
            name="plain_name_nl",
            field=models.CharField(
                blank=True,
                default="",
                help_text="The title clients read in the questionnaire: plain language (B1), "
                "no code. Empty: the name is shown.",
                max_length=120,
                verbose_name="plain name (Dutch)",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="element",
            name="plain_name_en",
            field=models.CharField(
                blank=True,
                default="",
                help_text="The title clients read in the questionnaire: plain language (B1), "
                "no code. Empty: the name is shown.",
                max_length=120,
                verbose_name="plain name (English)",
            ),
            preserve_default=False,
        ),
        # Reversing drops the columns, so there is nothing to undo here.
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
