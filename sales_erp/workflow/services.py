"""Writes of the workflow engine: starting, acting on and finishing process instances.

Every action locks the instance row first (select_for_update; on SQLite the IMMEDIATE transaction
does the same), then checks that the acting user holds a pending task *now*. So when two people act on
one task at once, exactly one action counts and the other is refused with errors.ALREADY_HANDLED.
Effects registered in hooks.PROCESSES run inside the same transaction; when one raises ProcessRefused
nothing of the action is kept (files written to disk for it are removed as well).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Q, Sum
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from sales_erp import hooks
from sales_erp.messaging.models import MessageKind
from sales_erp.messaging.services import message_send
from sales_erp.org.models import User
from sales_erp.org.roles import Role
from sales_erp.workbench.models import CustomField, FieldType
from sales_erp.workbench.selectors import custom_fields_for
from sales_erp.workflow import errors
from sales_erp.workflow.conditions import condition_describe, condition_holds
from sales_erp.workflow.errors import ProcessRefused, already_handled
from sales_erp.workflow.forms import ProcessForm, instance_form_class, process_form_class
from sales_erp.workflow.models import (
    ATTACHMENT_LIMIT,
    TRANSITIONS,
    Action,
    Attachment,
    CarbonCopy,
    CcWhen,
    Delegation,
    ProcessDefinition,
    ProcessInstance,
    ProcessNode,
    ProcessTask,
    Status,
    TaskOrigin,
    TaskStatus,
    TimelineEntry,
)

DEFAULTS_FILE = Path(__file__).resolve().parent / "fixtures" / "default_definitions.yaml"
EXAMPLES_FILE = Path(__file__).resolve().parent / "fixtures" / "no_code_definitions.yaml"
REMIND_INTERVAL = timedelta(minutes=10)
STATUS_REFUSED = "流程状态不能从「{old}」变为「{new}」"


# ------------------------------------------------------------------------------------------ definitions
def definition_snapshot(definition: ProcessDefinition) -> dict[str, Any]:
    """What an instance keeps of its definition at submit: it routes by this copy only, and its form is
    built from the custom fields copied here (workflow.forms.instance_form_class)."""
    return {
        "code": definition.code,
        "name": definition.name,
        "starts_from": definition.starts_from,
        "nodes": [node.snapshot() for node in definition.nodes.order_by("position", "id")],
        "fields": [field.spec() for field in custom_fields_for(definition.code)],
        "cc": {
            "roles": list(definition.cc_roles),
            "users": sorted(definition.cc_users.values_list("pk", flat=True)),
            "superior": definition.cc_superior,
            "when": definition.cc_when,
        },
        "taken_at": timezone.now().isoformat(),
    }


def definitions_load_defaults() -> list[str]:
    """Setup step: create each default definition (DESIGN §3) that does not exist yet."""
    return definitions_load(path=DEFAULTS_FILE)


def definitions_load_examples() -> list[str]:
    """Setup step: the process types defined with no code that ship as examples (电商购销单)."""
    return definitions_load(path=EXAMPLES_FILE)


@transaction.atomic
def definitions_load(*, path: Path) -> list[str]:
    """Create each definition of a YAML file (nodes, and for a no-code type its form fields) whose code
    does not exist yet.

    An existing definition is left exactly as the admins edited it, so running setup again changes nothing.
    Returns the codes created.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    created = []
    for index, spec in enumerate(data["definitions"], start=1):
        if ProcessDefinition.objects.filter(code=spec["code"]).exists():
            continue
        definition = ProcessDefinition.objects.create(
            code=spec["code"],
            name=spec["name"],
            category=spec["category"],
            description=spec.get("description", ""),
            order=spec.get("order", index * 10),
            starts_from=spec.get("starts_from", ""),
        )
        for position, field in enumerate(spec.get("fields", []), start=1):
            CustomField.objects.create(
                definition=definition,
                name=field["name"],
                label=field["label"],
                field_type=FieldType(field.get("type", FieldType.TEXT)),
                choices="\n".join(field.get("choices", [])),
                required=field.get("required", False),
                order=position * 10,
                help_text=field.get("help_text", ""),
            )
        for position, node in enumerate(spec["nodes"], start=1):
            ProcessNode.objects.create(
                definition=definition,
                position=position * 10,
                name=node["name"],
                approver_roles=[Role(r).value for r in node.get("roles", [])],
                approver_initiator=node.get("initiator", False),
                approver_superior=node.get("superior", False),
                mode=node.get("mode", "any"),
                condition=node.get("condition", []),
                form_editable=node.get("form_editable", False),
            )
        created.append(definition.code)
    return created


# ---------------------------------------------------------------------------------------------- helpers
def instance_url(instance: ProcessInstance) -> str:
    return reverse("workflow:instance", args=[instance.pk])


def instance_lock(instance: ProcessInstance) -> ProcessInstance:
    return ProcessInstance.objects.select_for_update().select_related("initiator").get(pk=instance.pk)


def instance_status_set(instance: ProcessInstance, new: Status) -> None:
    """The one place an instance changes status; a move not in TRANSITIONS is refused."""
    if new not in TRANSITIONS[Status(instance.status)]:
        raise ProcessRefused(
            STATUS_REFUSED.format(old=instance.get_status_display(), new=new.label), code="bad_transition"
        )
    instance.status = new
    if new in (Status.ARCHIVED, Status.WITHDRAWN):
        instance.finished_at = timezone.now()


def effect_run(instance: ProcessInstance, hook: str) -> None:
    process = hooks.PROCESSES.get(instance.code)
    path = getattr(process, hook, None) if process else None
    if path:
        import_string(path)(instance=instance)


def users_in_roles(roles: Iterable[str]) -> list[User]:
    groups = Group.objects.filter(name__in=list(roles))
    return list(User.objects.filter(groups__in=groups, is_active=True).distinct().order_by("pk"))


def node_handlers(node: dict[str, Any], instance: ProcessInstance) -> list[User]:
    """Everyone the node's approver rule names, active users only, each once, in a stable order."""
    found: dict[int, User] = {}
    initiator = instance.initiator
    candidates: list[User | None] = [*users_in_roles(node.get("roles", []))]
    if node.get("initiator"):
        candidates.append(initiator)
    if node.get("superior"):
        candidates.append(initiator.superior)
    candidates.extend(User.objects.filter(pk__in=node.get("users", []), is_active=True).order_by("pk"))
    for user in candidates:
        if user is not None and user.is_active:
            found.setdefault(user.pk, user)
    return list(found.values())


def delegators_of(user: User) -> list[int]:
    """The users whose tasks `user` may act on today (代理)."""
    today = timezone.localdate()
    return list(
        Delegation.objects.filter(delegate=user, start__lte=today, end__gte=today).values_list("user", flat=True)
    )


def delegates_of(users: Iterable[User]) -> list[User]:
    today = timezone.localdate()
    ids = [u.pk for u in users]
    rows = Delegation.objects.filter(user__in=ids, start__lte=today, end__gte=today).select_related("delegate")
    return [row.delegate for row in rows]


def role_label(user: User | None, node: dict[str, Any] | None, instance: ProcessInstance) -> str:
    """The role a person acts in, as the timeline shows it: "[销售事业部总]", "[部门领导]", "[发起人]"."""
    if user is None:
        return node_role_label(node) if node else ""
    if node:
        for code in node.get("roles", []):
            if user.has_role(code):
                return Role(code).label if code in Role.values else code
        if node.get("superior") and instance.initiator.superior_id == user.pk:
            return Role.SALES_LEADER.label
    labels = [Role(r).label for r in sorted(user.role_codes) if r in Role.values]
    if labels:
        return labels[0]
    return "发起人" if user.pk == instance.initiator_id else ""


def node_role_label(node: dict[str, Any]) -> str:
    labels = [Role(r).label if r in Role.values else r for r in node.get("roles", [])]
    if node.get("superior"):
        labels.append(Role.SALES_LEADER.label)
    if node.get("initiator"):
        labels.append("发起人")
    return "、".join(labels) or node.get("name", "")


def timeline_add(
    instance: ProcessInstance,
    action: Action,
    *,
    actor: User | None,
    on_behalf_of: User | None = None,
    role: str = "",
    node_name: str = "",
    opinion: str = "",
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        instance=instance,
        action=action,
        actor=actor,
        on_behalf_of=on_behalf_of,
        role=role[:50],
        node_name=node_name[:50],
        opinion=opinion,
    )


def notify(
    instance: ProcessInstance, users: Iterable[User | None], kind: MessageKind, title: str, body: str = ""
) -> None:
    message_send(recipients=users, kind=kind, title=title, body=body, target=instance, link=instance_url(instance))


def customer_of(target: models.Model | None) -> Any:
    """The customer a target belongs to (itself, or through .customer / .product / .account)."""
    from sales_erp.customers.models import Customer

    obj: Any = target
    for _ in range(4):
        if obj is None or isinstance(obj, Customer):
            return obj
        obj = getattr(obj, "customer", None) or getattr(obj, "product", None) or getattr(obj, "account", None)
    return None


def customer_lock(customer: Any) -> None:
    """Lock the customer a process is about before writing rows that refer to it.

    InnoDB's foreign-key check takes a shared lock on the customer row when an instance row naming it is
    written; two starts holding one each would deadlock as soon as an effect updates the customer
    (申请客户's pool_claim). Taking the row lock first makes them queue, and the second sees the first's result.
    """
    if customer is not None:
        list(type(customer).objects.select_for_update().filter(pk=customer.pk).values_list("pk", flat=True))


# ----------------------------------------------------------------------------------------------- routing
def route_from(instance: ProcessInstance, index: int, *, evaluate_first: bool = True) -> None:
    """Enter node `index`: pass it automatically when its condition holds, else create its tasks.

    After the last node the instance is archived. `evaluate_first=False` (退回) makes the chosen node's
    approvers act again even where its condition holds.
    """
    nodes = instance.nodes
    labels = instance_form_class(instance).field_labels()
    first = index
    while index < len(nodes):
        node = nodes[index]
        if (evaluate_first or index != first) and condition_holds(node.get("condition", []), instance.form_data):
            timeline_add(
                instance,
                Action.AUTO_PASS,
                actor=None,
                role=node_role_label(node),
                node_name=node["name"],
                opinion=auto_pass_opinion(node, labels),
            )
            index += 1
            continue
        handlers = node_handlers(node, instance)
        if not handlers:
            raise ProcessRefused(errors.NO_HANDLER.format(node=node["name"]), code="no_handler")
        instance.step += 1
        instance.current_node, instance.current_node_name = index, node["name"]
        instance.save(update_fields=["step", "current_node", "current_node_name"])
        ProcessTask.objects.bulk_create(
            ProcessTask(instance=instance, node_index=index, node_name=node["name"], step=instance.step, assignee=user)
            for user in handlers
        )
        notify(
            instance,
            [*handlers, *delegates_of(handlers)],
            MessageKind.TASK,
            *task_notice(instance.title, instance.process_name, node["name"]),
        )
        return
    instance_archive(instance)


def auto_pass_opinion(node: dict[str, Any], labels: dict[str, str]) -> str:
    """The timeline's opinion of a node passed by its condition."""
    return f"满足条件: {condition_describe(node['condition'], labels)}，系统自动通过"


def task_notice(title: str, process_name: str, node_name: str) -> tuple[str, str]:
    """The message (title, body) telling a handler a node waits for them."""
    return f"待办：{title}", f"{process_name}「{node_name}」节点等待您处理。"


def system_submit_opinion(initiator: User, remarks: str = "") -> str:
    """The timeline's opinion when the system starts an instance for someone."""
    return f"系统为 {initiator} 自动发起。{remarks}".strip()


def instance_archive(instance: ProcessInstance) -> None:
    instance_status_set(instance, Status.ARCHIVED)
    instance.current_node, instance.current_node_name = None, ""
    instance.save(update_fields=["status", "finished_at", "current_node", "current_node_name"])
    timeline_add(instance, Action.ARCHIVE, actor=None, opinion="最后一个节点已通过，流程归档")
    effect_run(instance, "on_archive")
    notify(
        instance,
        [instance.initiator],
        MessageKind.PROCESS,
        f"已归档：{instance.title}",
        "您发起的流程已审批通过并归档。",
    )
    if instance.definition_snapshot.get("cc", {}).get("when") in (CcWhen.FINISH, CcWhen.BOTH):
        carbon_copy(instance, definition_cc_users(instance), stage="归档")


def definition_cc_users(instance: ProcessInstance) -> list[User]:
    cc = instance.definition_snapshot.get("cc", {})
    users: list[User | None] = [*users_in_roles(cc.get("roles", [])), *User.objects.filter(pk__in=cc.get("users", []))]
    if cc.get("superior"):
        users.append(instance.initiator.superior)
    return [u for u in users if u is not None and u.is_active and u.pk != instance.initiator_id]


def carbon_copy(instance: ProcessInstance, users: Iterable[User], *, stage: str, actor: User | None = None) -> None:
    new = []
    for user in users:
        _, created = CarbonCopy.objects.get_or_create(instance=instance, user=user)
        if created:
            new.append(user)
    if not new:
        return
    timeline_add(instance, Action.CC, actor=actor, opinion=f"{stage}抄送: " + "、".join(str(u) for u in new))
    notify(
        instance, new, MessageKind.PROCESS, f"抄送：{instance.title}", f"{instance.initiator} 的流程{stage}，抄送给您。"
    )


# ------------------------------------------------------------------------------------------- attachments
def attachments_store(
    instance: ProcessInstance, files: Sequence[UploadedFile], user: User, stored: list[str]
) -> list[Attachment]:
    """Check the 100 MB total first (nothing is written when it is exceeded), then store the files."""
    if not files:
        return []
    existing = instance.attachments.aggregate(total=Sum("size"))["total"] or 0 if instance.pk else 0
    adding = sum(f.size or 0 for f in files)
    if existing + adding > ATTACHMENT_LIMIT:
        raise ProcessRefused(
            errors.ATTACHMENTS_TOO_LARGE.format(
                total=filesizeformat(existing + adding),
                existing=filesizeformat(existing),
                adding=filesizeformat(adding),
            ),
            code="attachments_too_large",
        )
    saved = []
    for upload in files:
        attachment = Attachment(instance=instance, name=Path(upload.name or "file").name[:255], size=upload.size or 0)
        attachment.uploaded_by = user
        attachment.file.save(attachment.name, upload, save=False)
        stored.append(str(attachment.file.name))
        attachment.save()
        saved.append(attachment)
    return saved


def uploads_store(
    instance: ProcessInstance,
    *,
    user: User,
    stored: list[str],
    attachments: Sequence[UploadedFile] = (),
    field_files: dict[str, UploadedFile] | None = None,
) -> None:
    """Store the page's attachments and the files of the form's own 附件 fields together: they are all the
    instance's attachments and count in one 100 MB total. A field's value becomes {id, name, size}."""
    field_files = field_files or {}
    saved = attachments_store(instance, [*attachments, *field_files.values()], user, stored)
    if not field_files:
        return
    for name, attachment in zip(field_files, saved[len(attachments) :], strict=True):
        instance.form_data[name] = {"id": attachment.pk, "name": attachment.name, "size": attachment.size}
    instance.save(update_fields=["form_data"])


def files_discard(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


class FileGuard:
    """Removes the files an action wrote when the action is refused (the database rolls back by itself)."""

    def __init__(self) -> None:
        self.stored: list[str] = []

    def __enter__(self) -> list[str]:
        return self.stored

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None:
            files_discard(self.stored)


def attachments_add(*, instance: ProcessInstance, user: User, files: Sequence[UploadedFile]) -> ProcessInstance:
    """Add files to an instance: its initiator or a current handler, while it is not finished."""
    with FileGuard() as stored, transaction.atomic():
        instance = instance_lock(instance)
        may = instance.status in (Status.RUNNING, Status.REJECTED, Status.DRAFT) and (
            user.pk == instance.initiator_id or pending_task_for(instance, user) is not None
        )
        if not may:
            raise ProcessRefused(errors.ATTACHMENT_NOT_ALLOWED.format(status=instance.get_status_display()))
        attachments_store(instance, files, user, stored)
        timeline_add(
            instance,
            Action.ATTACH,
            actor=user,
            role=role_label(user, instance.current, instance),
            node_name=instance.current_node_name,
            opinion="、".join(Path(f.name or "").name for f in files),
        )
    return instance


# --------------------------------------------------------------------------------------------- starting
def form_validate(
    form_class: type[ProcessForm],
    data: dict[str, Any],
    *,
    target: models.Model | None,
    user: User,
    files: dict[str, UploadedFile] | None = None,
    initial: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """The form data as stored, and the files of the form's 附件 fields, or ProcessRefused naming each field.

    `initial` is the instance's current data: a 附件 field left without a new file keeps its file.
    """
    form = form_class(data=data, files=files or {}, initial=initial, target=target, user=user)
    if not form.is_valid():
        raise ProcessRefused(
            errors.FORM_INVALID.format(errors=form_errors_text(form)), code="form_invalid", errors=form.errors
        )
    return form.form_data(), form.uploads()


def form_errors_text(form: ProcessForm) -> str:
    """ "数量: 「数量」须是数字…" reads twice; a message that already names its field is given as it is."""
    parts = []
    for name, messages in form.errors.items():
        label = str(form.fields[name].label) if name in form.fields else "表单"
        text = "、".join(str(m) for m in messages)
        parts.append(text if f"「{label}」" in text else f"{label}: {text}")
    return "；".join(parts)


def linked_customer(instance: ProcessInstance) -> Any:
    """The customer a no-code form links to (its first 关联客户 field), so the inbox filters by customer."""
    from sales_erp.customers.models import Customer

    for spec in instance.definition_snapshot.get("fields", []):
        value = instance.form_data.get(spec["name"])
        if spec["type"] == FieldType.LINK_CUSTOMER and isinstance(value, dict):
            return Customer.objects.filter(pk=value["id"]).first()
    return None


def target_check(definition: ProcessDefinition, target: models.Model | None) -> None:
    """A process that starts from an object (registered in hooks, or a no-code type's 发起对象) needs one."""
    label = definition.target_label
    if not label:
        return
    try:
        model: type[models.Model] | None = apps.get_model(label)
    except LookupError:
        model = None
    name = model._meta.verbose_name if model else label
    if target is None:
        raise ProcessRefused(errors.TARGET_REQUIRED.format(name=definition.name, target=name), code="target_required")
    if model is not None and not isinstance(target, model):
        raise ProcessRefused(
            errors.TARGET_WRONG.format(name=definition.name, target=name, got=target._meta.verbose_name),
            code="target_wrong",
        )


def instance_number(pk: int) -> str:
    """流程编号 of the instance with this primary key: LC-<year>-<pk, six digits at least>."""
    return f"LC-{timezone.localdate():%Y}-{pk:06d}"


def instance_start(
    *,
    code: str,
    initiator: User,
    form_data: dict[str, Any],
    target: models.Model | None = None,
    remarks: str = "",
    by_system: bool = False,
    cc: Iterable[User] = (),
    attachments: Sequence[UploadedFile] = (),
    field_files: dict[str, UploadedFile] | None = None,
    draft: ProcessInstance | None = None,
) -> ProcessInstance:
    """Submit a process: validate the form, snapshot the definition, run on_submit, route to the first node.

    Works alike for registered processes and no-code types (the API calls it too): `form_data` holds
    the values by field name (a linked customer/product/account by its id, money as a string with at
    most its places), `field_files` the uploads of the form's 附件 fields by field name, `attachments`
    the instance's other files. `by_system=True` is how automatic flows start one (the timeline's first
    line says the system did). `draft` is the user's saved draft of this form, which becomes the instance.
    """
    with FileGuard() as stored, transaction.atomic():
        definition = ProcessDefinition.objects.filter(code=code, is_active=True).first()
        if definition is None:
            raise ProcessRefused(errors.UNKNOWN_PROCESS.format(code=code), code="unknown_process")
        snapshot = definition_snapshot(definition)
        if not snapshot["nodes"]:
            raise ProcessRefused(errors.NO_NODES.format(name=definition.name), code="no_nodes")
        target_check(definition, target)
        form_class = process_form_class(code, snapshot["fields"])
        data, uploads = form_validate(form_class, form_data, target=target, user=initiator, files=field_files)
        customer_lock(customer_of(target))
        if draft is not None:
            instance = instance_lock(draft)
            if instance.status != Status.DRAFT or instance.initiator_id != initiator.pk:
                raise already_handled()
        else:
            instance = ProcessInstance(code=code, initiator=initiator)
        instance.definition = definition
        instance.definition_snapshot = snapshot
        instance.form_data = data
        instance.remarks = remarks
        instance.by_system = by_system
        instance.title = instance_title(definition, target, initiator)
        if target is not None:
            instance.target = target
        instance.customer = customer_of(target) or linked_customer(instance)
        instance_status_set(instance, Status.RUNNING)
        instance.submitted_at = timezone.now()
        instance.save()
        instance.number = instance_number(instance.pk)
        instance.save(update_fields=["number"])
        uploads_store(instance, user=initiator, stored=stored, attachments=attachments, field_files=uploads)
        if by_system:
            timeline_add(instance, Action.SYSTEM_SUBMIT, actor=None, opinion=system_submit_opinion(initiator, remarks))
        else:
            timeline_add(
                instance, Action.SUBMIT, actor=initiator, role=role_label(initiator, None, instance), opinion=remarks
            )
        extra_cc = [u for u in cc if u.pk != initiator.pk and u.is_active]
        at_start = definition_cc_users(instance) if definition.cc_when in (CcWhen.START, CcWhen.BOTH) else []
        carbon_copy(instance, [*at_start, *extra_cc], stage="发起", actor=None if by_system else initiator)
        effect_run(instance, "on_submit")
        route_from(instance, 0)
        instance.refresh_from_db()
    return instance


def instance_title(definition: ProcessDefinition, target: models.Model | None, initiator: User) -> str:
    about = str(target) if target is not None else str(initiator)
    return f"{definition.name}（{about}）"[:200]


def draft_save(
    *, code: str, user: User, data: dict[str, Any], remarks: str = "", target: models.Model | None = None
) -> ProcessInstance:
    """Keep what the user has typed so far (autosave); one draft per user, process and target."""
    definition = ProcessDefinition.objects.filter(code=code, is_active=True).first()
    if definition is None:
        raise ProcessRefused(errors.UNKNOWN_PROCESS.format(code=code), code="unknown_process")
    with transaction.atomic():
        instance = draft_find(code=code, user=user, target=target) or ProcessInstance(
            code=code, initiator=user, definition=definition, title=instance_title(definition, target, user)
        )
        if target is not None:
            instance.target = target
            instance.customer = customer_of(target)
        instance.form_data, instance.remarks = data, remarks
        instance.skip_history_when_saving = True  # type: ignore[attr-defined]  # keystrokes are not history
        instance.save()
    return instance


def draft_find(*, code: str, user: User, target: models.Model | None) -> ProcessInstance | None:
    drafts = ProcessInstance.objects.filter(code=code, initiator=user, status=Status.DRAFT)
    if target is None:
        drafts = drafts.filter(target_id__isnull=True)
    else:
        drafts = drafts.filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk)
    return drafts.order_by("-pk").first()


# ------------------------------------------------------------------------------------------------ acting
def pending_task_for(instance: ProcessInstance, user: User, task_id: int | None = None) -> ProcessTask | None:
    """The pending task `user` may act on now: their own, else one of someone they stand in for (代理)."""
    pending = instance.tasks.filter(step=instance.step, status=TaskStatus.PENDING).select_related("assignee")
    if task_id is not None:
        pending = pending.filter(pk=task_id)
    own = pending.filter(assignee=user).first()
    if own is not None:
        return own
    return pending.filter(assignee__in=delegators_of(user)).order_by("pk").first()


def acting_task(instance: ProcessInstance, user: User, task_id: int | None, action: str) -> ProcessTask:
    task = pending_task_for(instance, user, task_id) if instance.status == Status.RUNNING else None
    if task is not None:
        return task
    had_task = instance.tasks.filter(Q(assignee=user) | Q(assignee__in=delegators_of(user)))
    if task_id is not None:
        had_task = had_task.filter(pk=task_id)
    if had_task.exists():
        raise already_handled()
    if instance.status != Status.RUNNING:
        raise ProcessRefused(errors.NOT_RUNNING.format(status=instance.get_status_display(), action=action))
    raise ProcessRefused(errors.NOT_HANDLER, code="not_handler")


def task_close(task: ProcessTask, status: TaskStatus, user: User, opinion: str) -> None:
    task.status, task.acted_by, task.acted_at, task.opinion = status, user, timezone.now(), opinion
    task.save(update_fields=["status", "acted_by", "acted_at", "opinion"])


def tasks_cancel(instance: ProcessInstance) -> list[User]:
    pending = list(instance.tasks.filter(status=TaskStatus.PENDING).select_related("assignee"))
    instance.tasks.filter(pk__in=[t.pk for t in pending]).update(status=TaskStatus.CANCELLED)
    return [t.assignee for t in pending]


def behalf(task: ProcessTask, user: User) -> User | None:
    return task.assignee if task.assignee_id != user.pk else None


def node_complete(instance: ProcessInstance) -> bool:
    tasks = list(instance.tasks.filter(step=instance.step))
    added = [t for t in tasks if t.origin == TaskOrigin.ADDED]
    own = [t for t in tasks if t.origin == TaskOrigin.NODE and t.status != TaskStatus.TRANSFERRED]
    if any(t.status == TaskStatus.PENDING for t in added):
        return False  # 加签: every added signer passes in addition to the node's rule
    node = instance.current or {}
    if node.get("mode") == "all":
        return all(t.status == TaskStatus.APPROVED for t in own)
    return any(t.status == TaskStatus.APPROVED for t in own)


def instance_approve(
    *,
    instance: ProcessInstance,
    user: User,
    opinion: str = "",
    form_data: dict[str, Any] | None = None,
    field_files: dict[str, UploadedFile] | None = None,
    task_id: int | None = None,
) -> ProcessInstance:
    """Pass the user's task. `form_data` (only where the node allows editing) replaces the form's values,
    checked against the form the instance was started with; `field_files` replace files of its 附件 fields."""
    with FileGuard() as stored, transaction.atomic():
        instance = instance_lock(instance)
        task = acting_task(instance, user, task_id, "通过")
        node = instance.current or {}
        note = ""
        if form_data is not None:
            if not node.get("form_editable"):
                raise ProcessRefused(errors.FORM_NOT_EDITABLE, code="form_not_editable")
            form_class = instance_form_class(instance)
            new, uploads = form_validate(
                form_class,
                form_data,
                target=instance.target,
                user=user,
                files=field_files,
                initial=instance.form_data,
            )
            labels = form_class.field_labels()
            changed = [
                labels.get(k, k)
                for k in sorted(set(new) | set(instance.form_data) | set(uploads))
                if k in uploads or new.get(k) != instance.form_data.get(k)
            ]
            if changed:
                instance.form_data = new
                instance.customer = customer_of(instance.target) or linked_customer(instance)
                instance.save(update_fields=["form_data", "customer"])
                uploads_store(instance, user=user, stored=stored, field_files=uploads)
                note = "（修改了: " + "、".join(changed) + "）"
        task_close(task, TaskStatus.APPROVED, user, opinion)
        timeline_add(
            instance,
            Action.APPROVE,
            actor=user,
            on_behalf_of=behalf(task, user),
            role=role_label(task.assignee, node, instance),
            node_name=task.node_name,
            opinion=(opinion + note).strip(),
        )
        if task.origin == TaskOrigin.NODE and node.get("mode") != "all":
            # 或签: one pass is enough; the others of the node need not act any more.
            instance.tasks.filter(step=instance.step, origin=TaskOrigin.NODE, status=TaskStatus.PENDING).update(
                status=TaskStatus.CANCELLED
            )
        if node_complete(instance):
            route_from(instance, (instance.current_node or 0) + 1)
        instance.refresh_from_db()
    return instance


def instance_reject(
    *, instance: ProcessInstance, user: User, opinion: str = "", task_id: int | None = None
) -> ProcessInstance:
    """Send the instance back to its initiator, who edits and resubmits it or withdraws it."""
    with transaction.atomic():
        instance = instance_lock(instance)
        task = acting_task(instance, user, task_id, "驳回")
        task_close(task, TaskStatus.REJECTED, user, opinion)
        tasks_cancel(instance)
        timeline_add(
            instance,
            Action.REJECT,
            actor=user,
            on_behalf_of=behalf(task, user),
            role=role_label(task.assignee, instance.current, instance),
            node_name=task.node_name,
            opinion=opinion,
        )
        instance_status_set(instance, Status.REJECTED)
        instance.save(update_fields=["status"])
        effect_run(instance, "on_reject")
        notify(
            instance,
            [instance.initiator],
            MessageKind.PROCESS,
            f"已驳回：{instance.title}",
            f"{user} 在「{task.node_name}」驳回了您的流程：{opinion}",
        )
    return instance


def instance_resubmit(
    *,
    instance: ProcessInstance,
    user: User,
    form_data: dict[str, Any] | None = None,
    remarks: str | None = None,
    opinion: str = "",
    attachments: Sequence[UploadedFile] = (),
    field_files: dict[str, UploadedFile] | None = None,
) -> ProcessInstance:
    """The initiator sends a rejected instance again, edited or not; it runs from the first node again,
    with the form and the path it was started with."""
    with FileGuard() as stored, transaction.atomic():
        instance = instance_lock(instance)
        if user.pk != instance.initiator_id:
            raise ProcessRefused(errors.ONLY_INITIATOR.format(action="重新提交"), code="only_initiator")
        if instance.status != Status.REJECTED:
            if instance.status == Status.RUNNING:
                raise already_handled()
            raise ProcessRefused(errors.RESUBMIT_NOT_REJECTED.format(status=instance.get_status_display()))
        customer_lock(instance.customer)
        uploads: dict[str, UploadedFile] = {}
        if form_data is not None:
            instance.form_data, uploads = form_validate(
                instance_form_class(instance),
                form_data,
                target=instance.target,
                user=user,
                files=field_files,
                initial=instance.form_data,
            )
            instance.customer = customer_of(instance.target) or linked_customer(instance)
        if remarks is not None:
            instance.remarks = remarks
        instance_status_set(instance, Status.RUNNING)
        instance.save(update_fields=["form_data", "customer", "remarks", "status"])
        uploads_store(instance, user=user, stored=stored, attachments=attachments, field_files=uploads)
        timeline_add(instance, Action.RESUBMIT, actor=user, role=role_label(user, None, instance), opinion=opinion)
        effect_run(instance, "on_submit")
        route_from(instance, 0)
        instance.refresh_from_db()
    return instance


def instance_withdraw(*, instance: ProcessInstance, user: User, opinion: str = "") -> ProcessInstance:
    """The initiator takes back an instance at any node until it is archived (V19 #4).

    on_withdraw runs only for a running instance: a rejected one already had on_reject undo its submit.
    """
    with transaction.atomic():
        instance = instance_lock(instance)
        if user.pk != instance.initiator_id:
            raise ProcessRefused(errors.ONLY_INITIATOR.format(action="撤回流程"), code="only_initiator")
        if instance.status == Status.ARCHIVED:
            raise ProcessRefused(errors.WITHDRAW_ARCHIVED, code="archived")
        if instance.status == Status.WITHDRAWN:
            raise ProcessRefused(errors.WITHDRAW_TWICE, code="withdrawn")
        was_running = instance.status == Status.RUNNING
        node_name = instance.current_node_name
        waiting = tasks_cancel(instance)
        instance_status_set(instance, Status.WITHDRAWN)
        instance.current_node, instance.current_node_name = None, ""
        instance.save(update_fields=["status", "finished_at", "current_node", "current_node_name"])
        timeline_add(
            instance,
            Action.WITHDRAW,
            actor=user,
            role=role_label(user, None, instance),
            node_name=node_name,
            opinion=opinion,
        )
        if was_running:
            effect_run(instance, "on_withdraw")
        notify(
            instance, waiting, MessageKind.PROCESS, f"已撤回：{instance.title}", f"{user} 撤回了流程，您无需再处理。"
        )
    return instance


def handler_check(instance: ProcessInstance, person: User) -> None:
    if not person.is_active:
        raise ProcessRefused(errors.INACTIVE_USER.format(user=person))
    if instance.tasks.filter(step=instance.step, status=TaskStatus.PENDING, assignee=person).exists():
        raise ProcessRefused(errors.ALREADY_HANDLER.format(user=person), code="already_handler")


def task_hand(
    instance: ProcessInstance,
    task: ProcessTask,
    *,
    user: User,
    person: User,
    origin: str,
    action: Action,
    opinion: str,
    notice: str,
) -> None:
    """Give `person` a task on `task`'s node (转办, 加签), record who did it and tell the person."""
    ProcessTask.objects.create(
        instance=instance,
        node_index=task.node_index,
        node_name=task.node_name,
        step=task.step,
        origin=origin,
        assignee=person,
    )
    timeline_add(
        instance,
        action,
        actor=user,
        on_behalf_of=behalf(task, user),
        role=role_label(task.assignee, instance.current, instance),
        node_name=task.node_name,
        opinion=opinion,
    )
    notify(instance, [person, *delegates_of([person])], MessageKind.TASK, f"待办：{instance.title}", notice)


def instance_transfer(
    *, instance: ProcessInstance, user: User, to_user: User, opinion: str = "", task_id: int | None = None
) -> ProcessInstance:
    """转办: move the user's pending task to a colleague, who then acts in the user's place."""
    with transaction.atomic():
        instance = instance_lock(instance)
        task = acting_task(instance, user, task_id, "转办")
        if to_user.pk in (user.pk, task.assignee_id):
            raise ProcessRefused(errors.TRANSFER_SELF, code="transfer_self")
        handler_check(instance, to_user)
        task_close(task, TaskStatus.TRANSFERRED, user, opinion)
        task_hand(
            instance,
            task,
            user=user,
            person=to_user,
            origin=task.origin,
            action=Action.TRANSFER,
            opinion=f"转办给 {to_user}。{opinion}".strip(),
            notice=f"{user} 把「{task.node_name}」节点转办给您。",
        )
    return instance


def instance_add_signer(
    *, instance: ProcessInstance, user: User, signer: User, opinion: str = "", task_id: int | None = None
) -> ProcessInstance:
    """加签: a current handler adds a signer to the node; the node then also waits for them."""
    with transaction.atomic():
        instance = instance_lock(instance)
        task = acting_task(instance, user, task_id, "加签")
        handler_check(instance, signer)
        task_hand(
            instance,
            task,
            user=user,
            person=signer,
            origin=TaskOrigin.ADDED,
            action=Action.ADD_SIGNER,
            opinion=f"加签 {signer}。{opinion}".strip(),
            notice=f"{user} 请您在「{task.node_name}」节点加签。",
        )
    return instance


def instance_send_back(
    *, instance: ProcessInstance, user: User, node_index: int, opinion: str = "", task_id: int | None = None
) -> ProcessInstance:
    """退回: return the instance to an earlier node (0-based `node_index`), whose approvers act again."""
    with transaction.atomic():
        instance = instance_lock(instance)
        task = acting_task(instance, user, task_id, "退回")
        current = instance.current_node or 0
        if not 0 <= node_index < current:
            raise ProcessRefused(
                errors.SEND_BACK_TARGET.format(last=current, got=node_index + 1), code="send_back_target"
            )
        task_close(task, TaskStatus.CANCELLED, user, opinion)
        tasks_cancel(instance)
        back_to = instance.nodes[node_index]["name"]
        timeline_add(
            instance,
            Action.SEND_BACK,
            actor=user,
            on_behalf_of=behalf(task, user),
            role=role_label(task.assignee, instance.current, instance),
            node_name=task.node_name,
            opinion=f"退回到「{back_to}」。{opinion}".strip(),
        )
        route_from(instance, node_index, evaluate_first=False)
        instance.refresh_from_db()
    return instance


def instance_remind(*, instance: ProcessInstance, user: User, opinion: str = "") -> ProcessInstance:
    """催办: the initiator (or an admin) nudges everyone the instance waits for, at most once per 10 minutes."""
    with transaction.atomic():
        instance = instance_lock(instance)
        if user.pk != instance.initiator_id and not user.is_admin_role:
            raise ProcessRefused(errors.ONLY_INITIATOR.format(action="催办"), code="only_initiator")
        if instance.status != Status.RUNNING:
            raise ProcessRefused(errors.NOT_RUNNING.format(status=instance.get_status_display(), action="催办"))
        waiting = [
            t.assignee
            for t in instance.tasks.filter(step=instance.step, status=TaskStatus.PENDING).select_related("assignee")
        ]
        if not waiting:
            raise ProcessRefused(errors.NOTHING_TO_REMIND)
        since = timezone.now() - REMIND_INTERVAL
        if instance.timeline.filter(action=Action.REMIND, created_at__gte=since).exists():
            raise ProcessRefused(
                errors.REMIND_TOO_SOON.format(minutes=int(REMIND_INTERVAL.total_seconds() // 60)),
                code="remind_too_soon",
            )
        timeline_add(
            instance,
            Action.REMIND,
            actor=user,
            role=role_label(user, None, instance),
            node_name=instance.current_node_name,
            opinion=(f"催办 {'、'.join(str(u) for u in waiting)}。{opinion}").strip(),
        )
        notify(
            instance,
            [*waiting, *delegates_of(waiting)],
            MessageKind.REMINDER,
            f"催办：{instance.title}",
            f"{user} 催您处理「{instance.current_node_name}」节点。{opinion}".strip(),
        )
    return instance


def delegation_create(*, user: User, delegate: User, start: date, end: date, reason: str = "") -> Delegation:
    delegation = Delegation(user=user, delegate=delegate, start=start, end=end, reason=reason)
    delegation.full_clean()
    delegation.save()
    return delegation


def delegation_cancel(*, user: User, delegation_id: int) -> int:
    """The user calls off one of their own delegations; returns how many were removed (0 or 1)."""
    removed, _ = Delegation.objects.filter(user=user, pk=delegation_id).delete()
    return removed
