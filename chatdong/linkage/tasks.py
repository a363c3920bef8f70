"""Background tasks of the linkage app (django-tasks; worker: `chatdong db_worker`)."""

from __future__ import annotations

from django_tasks import task

from chatdong.linkage import services


@task()
def client_list_run_task(list_id: int) -> str:
    """Link a queued client list; the list page follows it by its status. Returns the final status."""
    return str(services.client_list_run(list_id=list_id).status)
