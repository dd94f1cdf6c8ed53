"""Background work of the notifications app (Celery; in-process when no broker is set).
Tasks take ids and call ``sending``; see its docstring for the claim, the lease and the
at-least-once window."""

from celery import shared_task

from . import sending


@shared_task(name="phteah.notifications.delivery_send", ignore_result=True)
def delivery_send(delivery_id: str) -> str:
    """Send one e-mail or Telegram message of the outbox, if it is still to be sent."""
    return sending.delivery_send(delivery_id=delivery_id)


@shared_task(name="phteah.notifications.deliveries_retry", ignore_result=True)
def deliveries_retry() -> int:
    """Every 5 minutes: enqueue again the pending deliveries no attempt holds (an error, a
    broker that was down after commit, a worker that died). Returns how many."""
    due = sending.deliveries_due()
    for delivery_id in due:
        delivery_send.delay(delivery_id)
    return len(due)
