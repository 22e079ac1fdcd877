"""The price_change process (销售调价流程, manual 2.4; DESIGN §4): its effects, registered in hooks.PROCESSES.

Submit makes the schedule from the form as a draft and puts it 审批中 at once (refused when it overlaps an
active or pending schedule of the same product or account, naming that schedule); archive makes it take
effect; a rejection or a withdrawal puts it back to draft. A resubmit voids the draft the rejection left
and makes a new schedule from the form as it is now (the initiator may have changed prices or dates).
"""

from __future__ import annotations

from contextlib import ExitStack

from django.core.files import File

from sales_erp.pricing.forms import PriceChangeForm
from sales_erp.pricing.models import PriceSchedule, ScheduleStatus
from sales_erp.pricing.services import (
    PricingRefused,
    price_schedule_activate,
    price_schedule_create,
    price_schedule_return,
    price_schedule_submit,
    price_schedule_void,
)
from sales_erp.workflow.errors import ProcessRefused
from sales_erp.workflow.models import ProcessInstance
from sales_erp.workflow.selectors import instance_last_actor

NO_SCHEDULE = "流程 {number} 没有审批中的调价，无法{action}"


def instance_schedule(instance: ProcessInstance, status: str, action: str) -> PriceSchedule:
    schedule = PriceSchedule.objects.filter(process=instance, status=status).order_by("-pk").first()
    if schedule is None:
        raise ProcessRefused(NO_SCHEDULE.format(number=instance.number, action=action), code="price_change.none")
    return schedule


def price_change_submit(*, instance: ProcessInstance) -> None:
    user = instance.initiator
    form = PriceChangeForm(data=instance.form_data, initial=instance.form_data, target=instance.target, user=user)
    if not form.is_valid():
        messages = [str(m) for errors in form.errors.values() for m in errors]
        raise ProcessRefused("；".join(messages), code="form_invalid", errors=form.errors)
    # The instance's general files (not the price table, which a form field holds) go with the schedule.
    field_files = {int(v["id"]) for v in instance.form_data.values() if isinstance(v, dict) and v.get("id")}
    with ExitStack() as stack:
        files = [
            File(stack.enter_context(a.file.open("rb")), name=a.name)
            for a in instance.attachments.exclude(pk__in=field_files).order_by("pk")
        ]
        try:
            for old in PriceSchedule.objects.filter(process=instance, status=ScheduleStatus.DRAFT):
                price_schedule_void(schedule=old, user=user)
            schedule = price_schedule_create(**form.schedule_kwargs(), attachments=files, process=instance, user=user)
            price_schedule_submit(schedule=schedule, user=user)
        except PricingRefused as exc:
            raise ProcessRefused(exc.message, code=exc.code) from None


def price_change_archive(*, instance: ProcessInstance) -> None:
    schedule = instance_schedule(instance, ScheduleStatus.PENDING, "生效")
    try:
        price_schedule_activate(schedule=schedule, user=instance_last_actor(instance))
    except PricingRefused as exc:
        raise ProcessRefused(exc.message, code=exc.code) from None


def price_change_return(*, instance: ProcessInstance) -> None:
    """Rejected or withdrawn while running: the schedule is a draft again (it prices nothing)."""
    schedule = instance_schedule(instance, ScheduleStatus.PENDING, "退回")
    price_schedule_return(schedule=schedule, user=instance_last_actor(instance))
