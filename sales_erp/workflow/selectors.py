"""Reads of the workflow: who may see an instance, the inbox tabs and their counts, process search.

An instance is visible to its initiator, anyone who has or had a task on it (or stands in for such a
person today), anyone copied, the initiator's superiors up the chain, and admins. Everyone else gets 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from sales_erp.desk.periods import date_range_q
from sales_erp.desk.search import SearchHit
from sales_erp.org.models import User
from sales_erp.workbench import links
from sales_erp.workbench.forms import LinkField
from sales_erp.workflow.forms import ProcessForm, display_value
from sales_erp.workflow.models import (
    CarbonCopy,
    Delegation,
    ProcessDefinition,
    ProcessInstance,
    ProcessTask,
    Status,
    TaskStatus,
)
from sales_erp.workflow.templatetags.workflow_tags import object_url

TABS = {"todo": "待办", "done": "已办", "mine": "我发起的", "cc": "抄送我的"}


def self_and_subordinate_ids(user: User) -> set[int]:
    """A leader sees the processes of everyone below them in the superior chain."""
    return {user.pk, *user.subordinate_ids()}


def delegator_ids(user: User) -> list[int]:
    today = timezone.localdate()
    return list(
        Delegation.objects.filter(delegate=user, start__lte=today, end__gte=today).values_list("user", flat=True)
    )


def instances_visible_to(user: User) -> QuerySet[ProcessInstance]:
    instances = ProcessInstance.objects.exclude(status=Status.DRAFT)
    if not (user.is_authenticated and user.is_active):
        return instances.none()
    if user.is_admin_role:
        return instances
    people = [user.pk, *delegator_ids(user)]
    tasks = ProcessTask.objects.filter(instance=OuterRef("pk")).filter(Q(assignee__in=people) | Q(acted_by=user))
    copies = CarbonCopy.objects.filter(instance=OuterRef("pk"), user=user)
    return instances.filter(Q(initiator_id__in=self_and_subordinate_ids(user)) | Q(Exists(tasks)) | Q(Exists(copies)))


def instance_visible(user: User, pk: int) -> ProcessInstance | None:
    return instances_visible_to(user).select_related("initiator", "customer").filter(pk=pk).first()


def todo_tasks(user: User) -> QuerySet[ProcessTask]:
    """Pending tasks the user may act on: their own, and those of people they stand in for today."""
    return ProcessTask.objects.filter(
        assignee__in=[user.pk, *delegator_ids(user)],
        status=TaskStatus.PENDING,
        instance__status=Status.RUNNING,
        step=F("instance__step"),
    )


def inbox(user: User, tab: str) -> QuerySet[ProcessInstance]:
    instances = ProcessInstance.objects.exclude(status=Status.DRAFT).select_related("initiator", "customer")
    if tab == "todo":
        return instances.filter(pk__in=todo_tasks(user).values("instance")).order_by("-submitted_at", "-pk")
    if tab == "done":
        acted = ProcessTask.objects.filter(acted_by=user)  # 通过, 驳回, 转办, 退回: whatever the user did
        return instances.filter(pk__in=acted.values("instance")).order_by("-submitted_at", "-pk")
    if tab == "mine":
        return instances.filter(initiator=user).order_by("-submitted_at", "-pk")
    if tab == "cc":
        return instances.filter(copies__user=user).order_by("-submitted_at", "-pk")
    return instances.none()


@dataclass(frozen=True)
class InboxFilter:
    code: str = ""
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None
    customer: str = ""
    text: str = ""


def inbox_filter(
    instances: QuerySet[ProcessInstance], f: InboxFilter, *, tab: str = "", user: User | None = None
) -> QuerySet[ProcessInstance]:
    """Filter by process type, status, date range (发起日期; for 已办 the day I acted) and customer name."""
    if f.code:
        instances = instances.filter(code=f.code)
    if f.status:
        instances = instances.filter(status=f.status)
    if f.date_from or f.date_to:
        if tab == "done" and user is not None:
            acted = ProcessTask.objects.filter(
                date_range_q("acted_at", start=f.date_from, end=f.date_to), acted_by=user
            )
            instances = instances.filter(pk__in=acted.values("instance"))
        else:
            instances = instances.filter(date_range_q("submitted_at", start=f.date_from, end=f.date_to))
    if f.customer:
        instances = instances.filter(customer__name__icontains=f.customer.strip())
    if f.text:
        text = f.text.strip()
        instances = instances.filter(Q(number__icontains=text) | Q(title__icontains=text))
    return instances


def inbox_counts(user: User) -> dict[str, int]:
    return {
        "todo": inbox(user, "todo").count(),
        "done": inbox(user, "done").count(),
        "mine": inbox(user, "mine").filter(status__in=[Status.RUNNING, Status.REJECTED]).count(),
        "cc": inbox(user, "cc").count(),
    }


# Menu badges (desk/navigation.py): callbacks (request) -> str; an empty string shows no badge.
def badge(value: int) -> str:
    return str(value) if value else ""


def todo_badge(request: HttpRequest) -> str:
    return badge(inbox(request.user, "todo").count())  # type: ignore[arg-type]


def done_badge(request: HttpRequest) -> str:
    return badge(inbox(request.user, "done").count())  # type: ignore[arg-type]


def mine_badge(request: HttpRequest) -> str:
    """My instances still open (审批中 or 已驳回, the latter waiting for me to resubmit or withdraw)."""
    return badge(inbox(request.user, "mine").filter(status__in=[Status.RUNNING, Status.REJECTED]).count())  # type: ignore[arg-type]


def cc_badge(request: HttpRequest) -> str:
    return badge(inbox(request.user, "cc").count())  # type: ignore[arg-type]


def process_search(*, user: User, query: str, limit: int) -> list[SearchHit]:
    """Global search provider (hooks.GLOBAL_SEARCH): processes by number or title the user may see."""
    found = instances_visible_to(user).filter(Q(number__icontains=query) | Q(title__icontains=query))[:limit]
    return [
        SearchHit(
            kind="流程",
            label=f"{p.number} {p.title}",
            url=reverse("workflow:instance", args=[p.pk]),
            detail=p.get_status_display(),
        )
        for p in found
    ]


def processes_for_target(target: Model) -> list[tuple[ProcessDefinition, str]]:
    """The processes an object's page offers to start (those whose target is the object's model: by
    hooks.PROCESSES, or a no-code type's 发起对象), each with its start URL. For a customer page:
    apply_customer, test_account, contract_review …"""
    label = f"{target._meta.app_label}.{target._meta.model_name}"
    definitions = [
        d for d in ProcessDefinition.objects.filter(is_active=True) if (d.target_label or "").lower() == label
    ]
    return [(d, f"{reverse('workflow:start', args=[d.code])}?target={target.pk}") for d in definitions]


def form_rows(form_class: type[ProcessForm], data: dict[str, Any]) -> list[dict[str, str]]:
    """The instance page's form: each field's label, shown value, and a link where there is one.

    A linked customer/product/account shows the name kept at submit, so a renamed or deleted object
    still reads as it was ("（现名：…）" or "（已删除）" added); a 附件 field links to its file.
    """
    rows = []
    for name, field in form_class.base_fields.items():
        value = data.get(name)
        row = {"label": str(field.label or name), "value": display_value(field, value), "url": ""}
        if isinstance(value, dict) and value.get("id"):
            if isinstance(field, LinkField):
                model = links.OBJECT_KINDS[field.kind].model_class()
                obj = model._default_manager.filter(pk=value["id"]).first() if model else None
                if obj is None:
                    row["value"] += "（已删除）"
                else:
                    row["url"] = object_url(obj)
                    if str(obj) != row["value"]:
                        row["value"] += f"（现名：{obj}）"
            elif isinstance(field, forms.FileField):
                row["url"] = reverse("workflow:attachment", args=[value["id"]])
        rows.append(row)
    return rows


def instances_for_target(user: User, target: Model) -> QuerySet[ProcessInstance]:
    """The processes about one object that `user` may see, newest first (for the object's page)."""
    content_type = ContentType.objects.get_for_model(target)
    return instances_visible_to(user).filter(target_type=content_type, target_id=target.pk).select_related("initiator")


def instance_last_actor(instance: ProcessInstance) -> User | None:
    """Who did the action now running an effect (the last approver at archive, the rejecter at reject…):
    the latest timeline line with a person; None when the system acted."""
    entry = instance.timeline.exclude(actor=None).select_related("actor").order_by("-pk").first()
    return entry.actor if entry is not None else None
