"""The admin history stored each record's text (a person's name, say) in ``object_repr``; from
now on it stores the type and id only (``werkplaats.admin_site``). This rewrites what is there."""

from django.db import migrations


def names_out(apps, schema_editor):
    LogEntry = apps.get_model("admin", "LogEntry")
    for entry in LogEntry.objects.select_related("content_type").iterator():
        model = entry.content_type.model if entry.content_type_id else "record"
        label = f"{model} #{entry.object_id}"[:200]
        if entry.object_repr != label:
            LogEntry.objects.filter(pk=entry.pk).update(object_repr=label)


class Migration(migrations.Migration):
    dependencies = [
        ("werkplaats", "0009_audit_log"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(names_out, migrations.RunPython.noop)]
