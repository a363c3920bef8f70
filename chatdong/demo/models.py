"""What the demo has already set up in this database, so that `chatdong demo` can run again."""

from __future__ import annotations

from django.db import models

from chatdong.accounts.models import District


class DemoSeed(models.Model):
    """One app's demo work seeded for a district (see demo.services.demo_work_ensure)."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    app = models.CharField(max_length=40)
    seeded_at = models.DateTimeField(auto_now_add=True)
    counts = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "app"], name="demo_seed_once")]
