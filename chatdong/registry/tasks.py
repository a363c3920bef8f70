"""Background tasks of the registry (django-tasks; worker: `chatdong db_worker`)."""

from __future__ import annotations

from django_tasks import task

from chatdong.registry import services


@task()
def import_batch_run_task(batch_id: int) -> str:
    """Run a queued import of a resident-registration extract; the page follows it through
    registry.selectors.import_progress. Returns the batch's final status."""
    batch = services.import_batch_run(batch_id=batch_id)
    return str(batch.status)
