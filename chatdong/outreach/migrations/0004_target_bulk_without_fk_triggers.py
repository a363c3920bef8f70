import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_agency_directory"),
        ("outreach", "0003_target_fewer_indexes"),
        ("registry", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="target",
            name="target_assignee_status",
        ),
        migrations.RemoveIndex(
            model_name="target",
            name="target_co_assignee_status",
        ),
        migrations.AlterField(
            model_name="target",
            name="ban",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="outreach_targets",
                to="accounts.ban",
            ),
        ),
        migrations.AlterField(
            model_name="target",
            name="dong",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="outreach_targets",
                to="accounts.dong",
            ),
        ),
        migrations.AlterField(
            model_name="target",
            name="household",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="outreach_targets",
                to="registry.household",
            ),
        ),
        migrations.AlterField(
            model_name="target",
            name="program",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="targets",
                to="outreach.program",
            ),
        ),
        migrations.AlterField(
            model_name="target",
            name="resident",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="outreach_targets",
                to="registry.resident",
            ),
        ),
        migrations.AddIndex(
            model_name="target",
            index=models.Index(
                condition=models.Q(("assignee__isnull", False)),
                fields=["assignee", "status"],
                name="target_assignee_status",
            ),
        ),
        migrations.AddIndex(
            model_name="target",
            index=models.Index(
                condition=models.Q(("co_assignee__isnull", False)),
                fields=["co_assignee", "status"],
                name="target_co_assignee_status",
            ),
        ),
    ]
