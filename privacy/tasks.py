from django_tasks import task


@task()
def apply_retention_now(user_id: int) -> None:
    """A retention run the DPO started from the page (the daily one is the scheduler's)."""
    from cases.models import User

    from .models import RetentionRun
    from .retention import retention_apply

    retention_apply(trigger=RetentionRun.Trigger.PAGE, user=User.objects.filter(pk=user_id).first())
