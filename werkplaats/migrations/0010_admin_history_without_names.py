"""The admin history stored each record's text (a person's name, say) in ``object_repr`` and,
for inline rows, in ``change_message``; from now on it stores the type and id only
(``werkplaats.admin_site``). This rewrites what is there: the record by type and id, an
inline row by its type alone (its id was never stored)."""

import json

from django.db import migrations


def _without_names(message: str) -> str:
    try:
        entries = json.loads(message)
    except ValueError:  # a plain-text message of an old Django: keep nothing of it
        return ""
    if not isinstance(entries, list):
        return ""
    for entry in entries:
        for detail in entry.values() if isinstance(entry, dict) else []:
            if isinstance(detail, dict) and "object" in detail:
                detail["object"] = str(detail.get("name", "record"))
    return json.dumps(entries)


def names_out(apps, schema_editor):
    LogEntry = apps.get_model("admin", "LogEntry")
    for entry in LogEntry.objects.select_related("content_type").iterator():
        model = entry.content_type.model if entry.content_type_id else "record"
        label = f"{model} #{entry.object_id}"[:200]
        message = _without_names(entry.change_message) if entry.change_message else ""
        if (entry.object_repr, entry.change_message) != (label, message):
            LogEntry.objects.filter(pk=entry.pk).update(object_repr=label, change_message=message)


class Migration(migrations.Migration):
    dependencies = [
        ("werkplaats", "0009_audit_log"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(names_out, migrations.RunPython.noop)]
