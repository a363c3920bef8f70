"""Background tasks of outreach (django-tasks; worker: `chatdong db_worker`)."""

from __future__ import annotations

from django_tasks import task

from chatdong.outreach import services


@task()
def targets_follow_registry_task() -> int:
    """Apply every succeeded import not yet followed to the current target lists; returns how many
    imports were followed."""
    return len(services.targets_follow_registry())


@task()
def notices_dispatch_task(notice_ids: list[int]) -> int:
    """Send queued advance notices again (e.g. after a gateway outage); already sent ones are skipped."""
    return services.notices_dispatch(notice_ids=notice_ids)
