"""The retention periods the platform starts with (editable in the admin: they are data)."""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# what, months, legal basis, deleted when expired
RULES = [
    ("audit.accessrecord", 120, "Personal data law: record of processing kept 10 years; "
     "archived, never deleted by the application", False),
    ("audit.changerecord", 120, "Same as the access log: evidence of every change", False),
    ("cases.case", 120, "Administrative procedure: case files kept 10 years after the decision",
     False),
    ("benefits.payment", 84, "Budget and accounting rules: payment records kept 7 years", False),
    ("api.apicall", 24, "Operational log of API calls; the audit log keeps the reads of "
     "personal data", True),
    ("sessions.session", 1, "Expired sign-in sessions serve no purpose", True),
    ("axes.accessattempt", 12, "Failed sign-in attempts: security monitoring for one year", True),
    ("registry.rejectedevent", 12, "Rejected life events: kept a year for the sender to correct",
     True),
]


def _create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    rule = apps.get_model("security", "RetentionRule")
    for what, months, basis, purgeable in RULES:
        rule.objects.get_or_create(what=what, defaults={
            "months": months, "legal_basis": basis, "purgeable": purgeable})


def _drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("security", "RetentionRule").objects.filter(
        what__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("security", "0003_assignments_grants_retention")]

    operations = [migrations.RunPython(_create, _drop)]
