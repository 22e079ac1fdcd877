"""What a refused action must leave untouched: everything observable about an instance."""

from __future__ import annotations

from typing import Any

from sales_erp.messaging.models import Message
from sales_erp.workflow.models import Attachment, CarbonCopy, ProcessInstance, ProcessTask, TimelineEntry
from tests.workflow import process


def state(instance: ProcessInstance | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "instances": list(
            ProcessInstance.objects.order_by("pk").values_list("pk", "status", "current_node", "step", "form_data")
        ),
        "tasks": list(ProcessTask.objects.order_by("pk").values_list("pk", "assignee", "status", "acted_by")),
        "timeline": TimelineEntry.objects.count(),
        "messages": Message.objects.count(),
        "attachments": Attachment.objects.count(),
        "copies": CarbonCopy.objects.count(),
        "effects": list(process.CALLS),
    }
    return found


def pending(instance: ProcessInstance) -> list[str]:
    """Usernames holding a pending task now, sorted."""
    instance.refresh_from_db()
    return sorted(
        instance.tasks.filter(step=instance.step, status="pending").values_list("assignee__username", flat=True)
    )
