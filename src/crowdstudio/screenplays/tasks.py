"""Background jobs of the screenplays app: each takes ids and calls a service."""

from __future__ import annotations

from django_tasks import task

from crowdstudio.screenplays import tableread_services


@task()
def render_table_read(table_read_id: int) -> str:
    return str(tableread_services.table_read_render(table_read_id=table_read_id))
