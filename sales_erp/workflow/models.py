"""The approval workflow (DESIGN §3): admin-editable definitions, and instances that snapshot them.

A definition is process code + ordered nodes. An instance copies its definition into
`definition_snapshot` when it is submitted and routes only by that copy, so editing a definition changes
the path of new instances, never of running ones. Who may act is a ProcessTask row per person and node.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from simple_history.models import HistoricalRecords

from sales_erp import hooks
from sales_erp.org.roles import Role
from sales_erp.workbench import links

ATTACHMENT_LIMIT = 100 * 1024 * 1024  # "总大小不超过100M" per instance (manual), in bytes


class Category(models.TextChoices):
    OPERATIONS = "operations", "运营流程"
    CLOSING = "closing", "收尾流程"
    OTHER = "other", "其他流程"


class NodeMode(models.TextChoices):
    ANY = "any", "或签（任一人通过）"
    ALL = "all", "会签（全部通过）"


class CcWhen(models.TextChoices):
    START = "start", "发起时"
    FINISH = "finish", "归档时"
    BOTH = "both", "发起和归档时"


class StartsFrom(models.TextChoices):
    """The kind of object a no-code process type starts from (a registered process's hook says it in code)."""

    NONE = "", "无（直接发起）"
    CUSTOMER = links.CUSTOMER, "客户"
    PRODUCT = links.PRODUCT, "产品"
    ACCOUNT = links.ACCOUNT, "账号"
    BILL = links.BILL, "账单"


class ProcessDefinition(models.Model):
    code = models.SlugField(
        "流程编码", max_length=50, unique=True, help_text="程序用的编码，如 write_off；保存后不要修改"
    )
    name = models.CharField("流程名称", max_length=100)
    category = models.CharField("分类", max_length=16, choices=Category.choices, default=Category.OPERATIONS)
    description = models.TextField("说明", blank=True)
    is_active = models.BooleanField(
        "启用", default=True, help_text="停用后不能再发起；已发起的流程照常审批、查看和导出"
    )
    order = models.PositiveSmallIntegerField("排序", default=100)
    starts_from = models.CharField(
        "发起对象",
        max_length=16,
        choices=StartsFrom.choices,
        default=StartsFrom.NONE,
        blank=True,
        help_text="该流程从哪类对象发起（发起时先选择对象）；内置流程由程序决定",
    )
    cc_roles = models.JSONField("抄送角色", default=list, blank=True)
    cc_users = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="抄送人", blank=True, related_name="+")
    cc_superior = models.BooleanField("抄送发起人上级", default=False)
    cc_when = models.CharField("抄送时机", max_length=8, choices=CcWhen.choices, default=CcWhen.FINISH)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    history = HistoricalRecords(m2m_fields=[cc_users])

    class Meta:
        verbose_name = "流程定义"
        verbose_name_plural = "流程定义"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_registered(self) -> bool:
        """True for the processes whose form and effects are code (hooks.PROCESSES); False for the
        types admins define entirely in the workbench."""
        return self.code in hooks.PROCESSES

    @property
    def target_label(self) -> str | None:
        """ "app_label.Model" of the object the process starts from, or None when it starts from nothing."""
        process = hooks.PROCESSES.get(self.code)
        if process is not None:
            return process.target
        return links.OBJECT_KINDS[self.starts_from].model if self.starts_from else None


class ProcessNode(models.Model):
    definition = models.ForeignKey(
        ProcessDefinition, verbose_name="流程", on_delete=models.CASCADE, related_name="nodes"
    )
    position = models.PositiveSmallIntegerField("顺序", default=0)
    name = models.CharField("节点名称", max_length=50)
    approver_roles = models.JSONField("审批角色", default=list, blank=True)
    approver_initiator = models.BooleanField("发起人", default=False)
    approver_superior = models.BooleanField("发起人的上级(部门领导)", default=False)
    approver_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="指定人员", blank=True, related_name="+"
    )
    mode = models.CharField("审批方式", max_length=8, choices=NodeMode.choices, default=NodeMode.ANY)
    condition = models.JSONField("自动通过条件", default=list, blank=True)  # [{"field", "op", "value"}], ANDed
    form_editable = models.BooleanField("可修改表单", default=False)
    history = HistoricalRecords(m2m_fields=[approver_users])

    class Meta:
        verbose_name = "流程节点"
        verbose_name_plural = "流程节点"
        ordering = ["definition", "position", "id"]

    def __str__(self) -> str:
        return self.name

    def approvers_label(self) -> str:
        parts = [Role(r).label if r in Role.values else r for r in self.approver_roles]
        if self.approver_initiator:
            parts.append("发起人")
        if self.approver_superior:
            parts.append("发起人上级")
        if self.pk:
            parts.extend(str(u) for u in self.approver_users.all())
        return "、".join(parts)

    def snapshot(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "roles": list(self.approver_roles),
            "initiator": self.approver_initiator,
            "superior": self.approver_superior,
            "users": sorted(self.approver_users.values_list("pk", flat=True)),
            "mode": self.mode,
            "condition": list(self.condition),
            "form_editable": self.form_editable,
        }


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    RUNNING = "running", "审批中"
    REJECTED = "rejected", "已驳回"
    WITHDRAWN = "withdrawn", "已撤回"
    ARCHIVED = "archived", "已归档"


# The only moves an instance makes (services.instance_status_set refuses any other).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.RUNNING}),
    Status.RUNNING: frozenset({Status.ARCHIVED, Status.REJECTED, Status.WITHDRAWN}),
    Status.REJECTED: frozenset({Status.RUNNING, Status.WITHDRAWN}),
    Status.WITHDRAWN: frozenset(),
    Status.ARCHIVED: frozenset(),
}


class ProcessInstance(models.Model):
    number = models.CharField("流程编号", max_length=32, unique=True, null=True, blank=True)
    code = models.CharField("流程编码", max_length=50, db_index=True)
    definition = models.ForeignKey(
        ProcessDefinition, verbose_name="流程定义", null=True, on_delete=models.SET_NULL, related_name="instances"
    )
    definition_snapshot = models.JSONField("流程定义快照", default=dict, blank=True)
    title = models.CharField("标题", max_length=200)
    initiator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, related_name="started_processes"
    )
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    # The customer the process concerns (from its target), so the inbox can filter by customer.
    customer = models.ForeignKey(
        "customers.Customer", verbose_name="客户", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    form_data = models.JSONField("表单数据", default=dict, blank=True)
    remarks = models.TextField("备注", blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    current_node = models.PositiveSmallIntegerField("当前节点序号", null=True, blank=True)
    current_node_name = models.CharField("当前节点", max_length=50, blank=True)
    by_system = models.BooleanField("系统发起", default=False)
    # Counts every arrival at a node; tasks carry it, so a node entered again after 退回 starts afresh.
    step = models.PositiveIntegerField("步骤", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    submitted_at = models.DateTimeField("发起时间", null=True, blank=True, db_index=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    history = HistoricalRecords(excluded_fields=["definition_snapshot"])

    class Meta:
        verbose_name = "流程"
        verbose_name_plural = "流程"
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["initiator", "status"]),
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["code", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.number or '草稿'} {self.title}"

    @property
    def nodes(self) -> list[dict[str, Any]]:
        return list(self.definition_snapshot.get("nodes", []))

    @property
    def current(self) -> dict[str, Any] | None:
        if self.current_node is None or self.current_node >= len(self.nodes):
            return None
        return self.nodes[self.current_node]

    @property
    def process_name(self) -> str:
        return str(self.definition_snapshot.get("name") or (self.definition.name if self.definition else self.code))


class TaskStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "已驳回"
    TRANSFERRED = "transferred", "已转办"
    CANCELLED = "cancelled", "无需处理"  # the node finished without this person (或签, reject, withdraw, 退回)


class TaskOrigin(models.TextChoices):
    NODE = "node", "节点审批人"
    ADDED = "added", "加签"


class ProcessTask(models.Model):
    """One person's share of one node. Pending tasks are exactly who may act now."""

    instance = models.ForeignKey(ProcessInstance, verbose_name="流程", on_delete=models.CASCADE, related_name="tasks")
    node_index = models.PositiveSmallIntegerField("节点序号")
    step = models.PositiveIntegerField("步骤", default=0)
    node_name = models.CharField("节点", max_length=50)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="处理人", on_delete=models.PROTECT, related_name="process_tasks"
    )
    origin = models.CharField("来源", max_length=8, choices=TaskOrigin.choices, default=TaskOrigin.NODE)
    status = models.CharField("状态", max_length=16, choices=TaskStatus.choices, default=TaskStatus.PENDING)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="实际办理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="process_tasks_acted",
    )
    acted_at = models.DateTimeField("办理时间", null=True, blank=True)
    opinion = models.TextField("意见", blank=True)
    created_at = models.DateTimeField("到达时间", auto_now_add=True)

    class Meta:
        verbose_name = "待办"
        verbose_name_plural = "待办"
        ordering = ["instance", "node_index", "id"]
        indexes = [models.Index(fields=["assignee", "status"]), models.Index(fields=["acted_by", "acted_at"])]

    def __str__(self) -> str:
        return f"{self.instance} · {self.node_name} · {self.assignee}"


class Action(models.TextChoices):
    SUBMIT = "submit", "发起流程"
    SYSTEM_SUBMIT = "system_submit", "系统发起流程"
    RESUBMIT = "resubmit", "重新提交"
    APPROVE = "approve", "通过"
    AUTO_PASS = "auto_pass", "系统自动通过"
    REJECT = "reject", "驳回"
    WITHDRAW = "withdraw", "撤回"
    TRANSFER = "transfer", "转办"
    ADD_SIGNER = "add_signer", "加签"
    SEND_BACK = "send_back", "退回"
    REMIND = "remind", "催办"
    CC = "cc", "抄送"
    ATTACH = "attach", "上传附件"
    ARCHIVE = "archive", "归档"


class TimelineEntry(models.Model):
    """One line of an instance's timeline: who (in which role, for whom), what, opinion, when."""

    instance = models.ForeignKey(
        ProcessInstance, verbose_name="流程", on_delete=models.CASCADE, related_name="timeline"
    )
    action = models.CharField("操作", max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )  # None: the system
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="被代理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField("角色", max_length=50, blank=True)
    node_name = models.CharField("节点", max_length=50, blank=True)
    opinion = models.TextField("意见", blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "流程记录"
        verbose_name_plural = "流程记录"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.actor_label}"

    @property
    def actor_label(self) -> str:
        if self.actor is None:
            return "系统"
        if self.on_behalf_of is not None:
            return f"{self.actor} 代理 {self.on_behalf_of}"
        return str(self.actor)


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"workflow/{instance.instance_id}/{filename}"


class Attachment(models.Model):
    instance = models.ForeignKey(
        ProcessInstance, verbose_name="流程", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=attachment_path, max_length=300)
    name = models.CharField("文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小(字节)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class CarbonCopy(models.Model):
    """抄送: someone copied on an instance (at start or finish); they may read it, not act."""

    instance = models.ForeignKey(ProcessInstance, verbose_name="流程", on_delete=models.CASCADE, related_name="copies")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="抄送人", on_delete=models.CASCADE, related_name="process_copies"
    )
    created_at = models.DateTimeField("抄送时间", auto_now_add=True)

    class Meta:
        verbose_name = "抄送"
        verbose_name_plural = "抄送"
        constraints = [models.UniqueConstraint(fields=["instance", "user"], name="carbon_copy_once")]

    def __str__(self) -> str:
        return f"{self.instance} → {self.user}"


class Delegation(models.Model):
    """代理: while `user` is away (start..end, inclusive dates) `delegate` may act on user's tasks."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="被代理人", on_delete=models.CASCADE, related_name="delegations_given"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="代理人", on_delete=models.CASCADE, related_name="delegations_taken"
    )
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    reason = models.CharField("原因", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "流程代理"
        verbose_name_plural = "流程代理"
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="delegation_end_after_start"),
            models.CheckConstraint(condition=~models.Q(user=models.F("delegate")), name="delegation_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.delegate} 代理 {self.user}（{self.start} 至 {self.end}）"
