"""Load the LOS-scan (one statement per aspect) and the short LOS check-in, version 1."""

from django.db import migrations

from evaluations.instrument_data import CHECK_IN_V1, LOS_SCAN_V1


def load(apps, schema_editor):
    Instrument = apps.get_model("evaluations", "Instrument")
    InstrumentVersion = apps.get_model("evaluations", "InstrumentVersion")
    Item = apps.get_model("evaluations", "Item")
    Aspect = apps.get_model("elements", "Aspect")
    aspects = {a.code: a for a in Aspect.objects.all()}

    scan = Instrument.objects.create(code="los-scan", name_nl="LOS-scan", name_en="LOS scan")
    version = InstrumentVersion.objects.create(instrument=scan, number=1)
    Item.objects.bulk_create(
        Item(
            version=version,
            element_id=aspects[code].element_id,
            aspect=aspects[code],
            order=order,
            text_nl=nl,
            text_en=en,
            plain_nl=plain_nl,
            plain_en=plain_en,
        )
        for order, (code, nl, en, plain_nl, plain_en) in enumerate(LOS_SCAN_V1, start=1)
    )
    check_in = Instrument.objects.create(
        code="los-check-in", name_nl="LOS-check-in", name_en="LOS check-in"
    )
    version = InstrumentVersion.objects.create(instrument=check_in, number=1)
    Item.objects.bulk_create(
        Item(
            version=version,
            element_id=code,
            order=order,
            text_nl=nl,
            text_en=en,
            plain_nl=plain_nl,
            plain_en=plain_en,
        )
        for order, (code, nl, en, plain_nl, plain_en) in enumerate(CHECK_IN_V1, start=1)
    )


def unload(apps, schema_editor):
    Instrument = apps.get_model("evaluations", "Instrument")
    Item = apps.get_model("evaluations", "Item")
    InstrumentVersion = apps.get_model("evaluations", "InstrumentVersion")
    codes = ["los-scan", "los-check-in"]
    Item.objects.filter(version__instrument__code__in=codes).delete()
    InstrumentVersion.objects.filter(instrument__code__in=codes).delete()
    Instrument.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0001_initial"),
        ("elements", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(load, unload)]
