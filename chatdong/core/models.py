from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("생성일시", auto_now_add=True)
    updated_at = models.DateTimeField("수정일시", auto_now=True)

    class Meta:
        abstract = True


class Notification(models.Model):
    """A message to one staff member that something needs them ("3 visits failed: tell the supervisor",
    "referral overdue", "urgent screening"). Shown on the 알림 page and counted in the header.
    `dedupe_key` makes sending idempotent: the same event never notifies the same person twice."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField("알림 일시", auto_now_add=True)
    kind = models.CharField("종류", max_length=40)
    text = models.CharField("내용", max_length=300)
    url = models.CharField("바로가기", max_length=300, blank=True)
    urgent = models.BooleanField("긴급", default=False)
    read_at = models.DateTimeField("읽은 일시", null=True, blank=True)
    dedupe_key = models.CharField(max_length=120)

    class Meta:
        verbose_name = "알림"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], name="notification_unique_event"),
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return self.text
