"""Add the therapist's calendar feed token hash and the reminder workers' claim columns.

On SQLite the two nullable appointment columns are plain ``ALTER TABLE ADD COLUMN``s, so the
appointment table (and the overlap triggers of 0003) is left as it is; the unique therapist
column makes Django rebuild only the therapist table. The final step reinstalls the SQLite
overlap triggers anyway (``CREATE TRIGGER IF NOT EXISTS``: a no-op when they are present), so a
future change in how Django alters tables cannot silently drop them; migrating back to 0003
reinstalls them too.
"""

import importlib

from django.db import migrations, models


def reinstall_overlap_triggers(apps, schema_editor):
    guard = importlib.import_module("stride.scheduling.migrations.0003_appointment_no_overlap")
    guard.install_sqlite_triggers(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0003_appointment_no_overlap"),
    ]

    operations = [
        # Runs last when migrating back to 0003, after the columns are dropped.
        migrations.RunPython(migrations.RunPython.noop, reinstall_overlap_triggers),
        migrations.AddField(
            model_name="appointment",
            name="reminder_claim_id",
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="appointment",
            name="reminder_claimed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="therapist",
            name="calendar_token_hash",
            field=models.CharField(
                blank=True, editable=False, max_length=64, null=True, unique=True
            ),
        ),
        migrations.RunPython(reinstall_overlap_triggers, migrations.RunPython.noop),
    ]
