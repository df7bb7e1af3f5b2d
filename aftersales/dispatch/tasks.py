"""Background jobs of field service, run by the db_worker; crontask enqueues the periodic one."""

from crontask import cron
from django.tasks import task

from aftersales.dispatch.models import WorkOrder


@cron("* * * * *")
@task
def return_unaccepted_work_orders() -> int:
    """Every minute: orders nobody accepted in time go back to their dispatcher."""
    from aftersales.dispatch.services.work_orders import return_unaccepted

    return return_unaccepted()


@task
def render_work_order_pdf(work_order_id: int) -> None:
    """Render a signed or archived task sheet as a PDF and store it with the order."""
    from aftersales.dispatch.pdf import render_and_store

    work_order = WorkOrder.objects.filter(pk=work_order_id).first()
    if work_order is not None:
        render_and_store(work_order)
