"""Desk pages of the workflow: start a process, the instance page, the inbox, process search, delegations.

Views parse input, check who may see what (404 otherwise), call one service and render. A refused
action re-renders the instance page with the reason (409 when someone else was faster, 400 otherwise).
"""

from __future__ import annotations

import csv
import json
from datetime import date
from io import BytesIO
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View
from openpyxl import Workbook

from sales_erp import hooks
from sales_erp.customers.selectors import customer_visibility_q, pool_customer_taken
from sales_erp.desk.forms import desk_widget_style
from sales_erp.desk.views import DeskView
from sales_erp.org.models import User
from sales_erp.workbench import links
from sales_erp.workbench.models import FieldType
from sales_erp.workbench.selectors import custom_fields_for
from sales_erp.workflow import selectors, services
from sales_erp.workflow.errors import ProcessRefused
from sales_erp.workflow.forms import ProcessForm, display_value, instance_form_class, process_form_class
from sales_erp.workflow.models import (
    ATTACHMENT_LIMIT,
    Attachment,
    Category,
    Delegation,
    ProcessDefinition,
    ProcessInstance,
    Status,
    TaskStatus,
)
from sales_erp.workflow.templatetags.workflow_tags import object_url


# ------------------------------------------------------------------------------------------------ shared
def staff_users() -> models.QuerySet[User]:
    return User.objects.filter(is_active=True, is_staff=True).order_by("username")


def target_resolve(request: HttpRequest, definition: ProcessDefinition) -> models.Model | None:
    """The object a process starts from (`?target=<pk>`; its model from hooks or the no-code type's
    发起对象), if the user may see it; else 404."""
    pk = request.GET.get("target") or request.POST.get("target")
    if not pk:
        return None
    label = definition.target_label or request.GET.get("target_type", "")
    try:
        content_type = ContentType.objects.get_by_natural_key(*label.lower().split("."))
        target = content_type.get_object_for_this_type(pk=pk)
    except (ValueError, TypeError, ContentType.DoesNotExist, models.ObjectDoesNotExist):
        raise Http404 from None
    if not target_visible(request.user, target):  # type: ignore[arg-type]
        customer = services.customer_of(target)
        taken = pool_customer_taken(user=request.user, customer=customer) if customer is not None else None  # type: ignore[arg-type]
        if taken is not None:
            raise TargetTaken(*taken)
        raise Http404
    return target


class TargetTaken(Http404):
    """A target hidden because someone else has just taken it (a pool customer another salesperson applied
    for): the start page says who, on the page it sends the user to, instead of a bare 404."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.message, self.url = message, url


def target_visible(user: User, target: models.Model) -> bool:
    from sales_erp.customers.models import Customer

    customer = services.customer_of(target)
    if customer is None:
        return True
    q = customer_visibility_q(user)
    return q is None or Customer.objects.filter(q, pk=customer.pk).exists()


def attachments_context(instance: ProcessInstance | None) -> dict[str, Any]:
    rows = list(instance.attachments.select_related("uploaded_by")) if instance and instance.pk else []
    total = sum(a.size for a in rows)
    return {"attachments": rows, "attachments_total": total, "attachments_limit": ATTACHMENT_LIMIT}


def form_has_files(form: ProcessForm) -> bool:
    """A form with 附件 fields of its own: the page's general box is then "其他附件"."""
    return any(isinstance(field, forms.FileField) for field in form.fields.values())


class DateRangeForm(forms.Form):
    code = forms.ChoiceField(label="流程类型", required=False)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *Status.choices[1:]])
    date_from = forms.DateField(label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    customer = forms.CharField(label="客户", required=False)
    text = forms.CharField(label="编号/标题", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [("", "全部"), *ProcessDefinition.objects.values_list("code", "name")]  # type: ignore[attr-defined]
        desk_widget_style(self)

    def filters(self) -> selectors.InboxFilter:
        if not self.is_valid():
            return selectors.InboxFilter()
        return selectors.InboxFilter(**self.cleaned_data)


# ----------------------------------------------------------------------------------------------- start
class StartListView(DeskView):
    """发起流程: every active process, grouped by category, for processes not started from an object."""

    template_name = "workflow/start_list.html"
    title = "发起流程"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        groups = []
        for value, label in Category.choices:
            rows = []
            for definition in ProcessDefinition.objects.filter(category=value, is_active=True):
                kind = links.kind_of_model(definition.target_label)
                rows.append(
                    {
                        "definition": definition,
                        "needs_target": bool(definition.target_label),
                        "chooses": links.OBJECT_KINDS[kind].label if kind else "",
                    }
                )
            if rows:
                groups.append({"label": label, "rows": rows})
        context["groups"] = groups
        return context


class StartView(DeskView):
    """The start page of one process: its form (or the hook's own template), attachments, remarks, 抄送."""

    template_name = "workflow/start.html"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.definition: ProcessDefinition | None = ProcessDefinition.objects.filter(
            code=kwargs["code"], is_active=True
        ).first()

    def allowed(self, request: HttpRequest) -> bool:
        return self.definition is not None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return super().dispatch(request, *args, **kwargs)
        except TargetTaken as taken:
            messages.error(request, taken.message)
            return redirect(taken.url)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assert self.definition is not None
        target = target_resolve(request, self.definition)
        kind = links.kind_of_model(self.definition.target_label)
        if target is None and kind is not None:
            return self.choose(kind)
        draft = services.draft_find(code=self.definition.code, user=self.user, target=target)
        form_class = process_form_class(self.definition.code)
        form = form_class(initial=draft.form_data if draft else None, target=target, user=self.user)
        return self.render(form=form, target=target, draft=draft, remarks=draft.remarks if draft else "")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assert self.definition is not None
        user = self.user
        target = target_resolve(request, self.definition)
        form = process_form_class(self.definition.code)(request.POST, request.FILES, target=target, user=user)
        remarks = request.POST.get("remarks", "").strip()
        draft = services.draft_find(code=self.definition.code, user=user, target=target)
        if not form.is_valid():
            return self.render(form=form, target=target, draft=draft, remarks=remarks, status=400)
        cc = list(staff_users().filter(pk__in=request.POST.getlist("cc")))
        try:
            instance = services.instance_start(
                code=self.definition.code,
                initiator=user,
                form_data=form.form_data(),
                target=target,
                remarks=remarks,
                cc=cc,
                attachments=request.FILES.getlist("attachments"),
                field_files=form.uploads(),
                draft=draft,
            )
        except ProcessRefused as refusal:
            return self.render(
                form=form, target=target, draft=draft, remarks=remarks, error=refusal.message, status=400
            )
        messages.success(request, f"流程 {instance.number} 已发起，当前节点：{instance.current_node_name or '已归档'}")
        return redirect("workflow:instance", pk=instance.pk)

    def choose(self, kind: str) -> HttpResponse:
        """A process that starts from an object, opened without one: pick it first (only visible ones)."""
        assert self.definition is not None
        query = self.request.GET.get("q", "")
        context = self.get_context_data(
            title=f"发起{self.definition.name}",
            definition=self.definition,
            kind=links.OBJECT_KINDS[kind].label,
            query=query,
            objects=links.objects_search(self.user, kind, query),
        )
        return TemplateResponse(self.request, "workflow/start_target.html", context)

    def render(
        self,
        *,
        form: ProcessForm,
        target: Any,
        draft: ProcessInstance | None,
        remarks: str,
        error: str = "",
        status: int = 200,
    ) -> HttpResponse:
        assert self.definition is not None
        process = hooks.PROCESSES.get(self.definition.code)
        context = self.get_context_data(
            title=f"发起{self.definition.name}",
            definition=self.definition,
            form=form,
            target=target,
            target_url=object_url(target),
            draft=draft,
            remarks=remarks,
            error=error,
            staff=staff_users(),
            form_template=process.template if process and process.template else "",
            form_has_files=form_has_files(form),
            nodes=self.definition.nodes.all(),
            draft_url=reverse("workflow:draft", args=[self.definition.code]),
            **attachments_context(None),
        )
        return self.render_to_response(context, status=status)


class DraftView(DeskView):
    """Autosave: the start page posts what is typed so far; answers when it was kept."""

    def post(self, request: HttpRequest, code: str) -> JsonResponse:
        definition = ProcessDefinition.objects.filter(code=code, is_active=True).first()
        if definition is None:
            raise Http404
        target = target_resolve(request, definition)
        data = {
            k: (v if len(v) > 1 else v[0])
            for k, v in request.POST.lists()
            if k not in ("csrfmiddlewaretoken", "remarks", "target", "cc")
        }
        try:
            draft = services.draft_save(
                code=code,
                user=self.user,
                data=data,
                remarks=request.POST.get("remarks", ""),
                target=target,
            )
        except ProcessRefused:
            raise Http404 from None
        saved = timezone.localtime()
        return JsonResponse({"draft": draft.pk, "saved_at": f"{saved:%H:%M:%S}"})


# -------------------------------------------------------------------------------------------- instance
class InstanceView(DeskView):
    template_name = "workflow/instance.html"

    def allowed(self, request: HttpRequest) -> bool:
        self.instance = selectors.instance_visible(self.user, self.kwargs["pk"])
        return self.instance is not None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        instance = self.instance
        assert instance is not None
        user = self.user
        form_class = instance_form_class(instance)
        task = services.pending_task_for(instance, user) if instance.status == Status.RUNNING else None
        node = instance.current or {}
        edit_form = None
        if task is not None and node.get("form_editable"):
            edit_form = kwargs.pop("edit_form", None) or form_class(
                initial=instance.form_data, target=instance.target, user=user
            )
        pending = instance.tasks.filter(step=instance.step, status=TaskStatus.PENDING).select_related("assignee")
        delegates = {
            d.user_id: d.delegate
            for d in Delegation.objects.filter(
                user__in=[t.assignee_id for t in pending],
                start__lte=timezone.localdate(),
                end__gte=timezone.localdate(),
            ).select_related("delegate")
        }
        rows = selectors.form_rows(form_class, instance.form_data)
        context = super().get_context_data(**kwargs)
        context.update(
            title=f"{instance.number} {instance.title}",
            instance=instance,
            rows=rows,
            # The start's 备注 once: not as an empty second 备注 under a form that has its own (销账).
            show_remarks=bool(instance.remarks) or not any(row["label"] == "备注" for row in rows),
            target_url=object_url(instance.target),
            handlers=[{"task": t, "delegate": delegates.get(t.assignee_id)} for t in pending],
            timeline=instance.timeline.select_related("actor", "on_behalf_of"),
            task=task,
            edit_form=edit_form,
            earlier_nodes=[(i, n["name"]) for i, n in enumerate(instance.nodes) if i < (instance.current_node or 0)],
            is_initiator=user.pk == instance.initiator_id,
            can_withdraw=user.pk == instance.initiator_id and instance.status in (Status.RUNNING, Status.REJECTED),
            can_remind=instance.status == Status.RUNNING and (user.pk == instance.initiator_id or user.is_admin_role),
            can_attach=instance.status in (Status.RUNNING, Status.REJECTED)
            and (user.pk == instance.initiator_id or task is not None),
            staff=staff_users().exclude(pk=user.pk),
            nodes=instance.nodes,
            **attachments_context(instance),
        )
        return context


ACTIONS = {"approve", "reject", "withdraw", "transfer", "add_signer", "send_back", "remind"}


class ActionView(InstanceView):
    """POST one action on an instance; on refusal the instance page comes back with the reason."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        assert self.instance is not None
        user = self.user
        action = request.POST.get("action", "")
        opinion = request.POST.get("opinion", "").strip()
        task_id = int(request.POST["task"]) if request.POST.get("task", "").isdigit() else None
        edit_form = None
        try:
            if action not in ACTIONS:
                raise ProcessRefused(f"未知的操作「{action}」")
            if action == "approve":
                form_data = None
                field_files = None
                if request.POST.get("edit_form"):
                    edit_form = instance_form_class(self.instance)(
                        request.POST,
                        request.FILES,
                        initial=self.instance.form_data,
                        target=self.instance.target,
                        user=user,
                    )
                    if not edit_form.is_valid():
                        raise ProcessRefused("表单填写有误，请按提示修改后再通过")
                    form_data, field_files = edit_form.form_data(), edit_form.uploads()
                services.instance_approve(
                    instance=self.instance,
                    user=user,
                    opinion=opinion,
                    form_data=form_data,
                    field_files=field_files,
                    task_id=task_id,
                )
                done = "已通过"
            elif action == "reject":
                services.instance_reject(instance=self.instance, user=user, opinion=opinion, task_id=task_id)
                done = "已驳回"
            elif action == "withdraw":
                services.instance_withdraw(instance=self.instance, user=user, opinion=opinion)
                done = "已撤回"
            elif action == "transfer":
                services.instance_transfer(
                    instance=self.instance,
                    user=user,
                    to_user=self.person(request, "to_user"),
                    opinion=opinion,
                    task_id=task_id,
                )
                done = "已转办"
            elif action == "add_signer":
                services.instance_add_signer(
                    instance=self.instance,
                    user=user,
                    signer=self.person(request, "signer"),
                    opinion=opinion,
                    task_id=task_id,
                )
                done = "已加签"
            elif action == "send_back":
                node = request.POST.get("node", "")
                if not node.isdigit():
                    raise ProcessRefused("请选择要退回到的节点")
                services.instance_send_back(
                    instance=self.instance, user=user, node_index=int(node), opinion=opinion, task_id=task_id
                )
                done = "已退回"
            else:
                services.instance_remind(instance=self.instance, user=user, opinion=opinion)
                done = "已催办"
        except ProcessRefused as refusal:
            self.instance.refresh_from_db()
            context = self.get_context_data(error=refusal.message, edit_form=edit_form)
            return self.render_to_response(context, status=409 if refusal.code == "already_handled" else 400)
        messages.success(request, done)
        return redirect("workflow:instance", pk=pk)

    @staticmethod
    def person(request: HttpRequest, field: str) -> User:
        pk = request.POST.get(field) or request.POST.get("to_user", "")
        found = staff_users().filter(pk=pk).first() if pk.isdigit() else None
        if found is None:
            raise ProcessRefused("请选择一位同事")
        return found


class ResubmitView(InstanceView):
    """The initiator edits a rejected instance and sends it again."""

    template_name = "workflow/start.html"

    def allowed(self, request: HttpRequest) -> bool:
        return super().allowed(request) and self.instance is not None and self.instance.initiator_id == self.user.pk

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assert self.instance is not None
        form = instance_form_class(self.instance)(
            initial=self.instance.form_data, target=self.instance.target, user=self.user
        )
        return self.render(form, self.instance.remarks)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        assert self.instance is not None
        form = instance_form_class(self.instance)(
            request.POST,
            request.FILES,
            initial=self.instance.form_data,
            target=self.instance.target,
            user=self.user,
        )
        remarks = request.POST.get("remarks", "").strip()
        if not form.is_valid():
            return self.render(form, remarks, status=400)
        try:
            services.instance_resubmit(
                instance=self.instance,
                user=self.user,
                form_data=form.form_data(),
                remarks=remarks,
                attachments=request.FILES.getlist("attachments"),
                field_files=form.uploads(),
            )
        except ProcessRefused as refusal:
            return self.render(
                form, remarks, error=refusal.message, status=409 if refusal.code == "already_handled" else 400
            )
        messages.success(request, "已重新提交")
        return redirect("workflow:instance", pk=pk)

    def render(self, form: ProcessForm, remarks: str, error: str = "", status: int = 200) -> HttpResponse:
        assert self.instance is not None
        process = hooks.PROCESSES.get(self.instance.code)
        context = DeskView.get_context_data(
            self,
            title=f"重新提交 {self.instance.number} {self.instance.title}",
            definition=self.instance.definition,
            instance=self.instance,
            form=form,
            target=self.instance.target,
            target_url=object_url(self.instance.target),
            remarks=remarks,
            error=error,
            resubmit=True,
            form_template=process.template if process and process.template else "",
            form_has_files=form_has_files(form),
            **attachments_context(self.instance),
        )
        return self.render_to_response(context, status=status)


class AttachmentUploadView(InstanceView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        assert self.instance is not None
        try:
            services.attachments_add(instance=self.instance, user=self.user, files=request.FILES.getlist("attachments"))
        except ProcessRefused as refusal:
            self.instance.refresh_from_db()
            return self.render_to_response(self.get_context_data(error=refusal.message), status=400)
        messages.success(request, "附件已上传")
        return redirect("workflow:instance", pk=pk)


class AttachmentDownloadView(View):
    """Attachments are served only to people who may see their instance (never from a public URL)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        attachment = Attachment.objects.filter(pk=pk).first()
        if not request.user.is_authenticated or attachment is None:
            raise Http404
        if selectors.instance_visible(request.user, attachment.instance_id) is None:
            raise Http404
        return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


# ----------------------------------------------------------------------------------------------- lists
class InboxView(DeskView):
    template_name = "workflow/inbox.html"
    title = "我的流程"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.user
        tab = self.request.GET.get("tab", "todo")
        if tab not in selectors.TABS:
            tab = "todo"
        form = DateRangeForm(self.request.GET or None)
        rows = selectors.inbox_filter(selectors.inbox(user, tab), form.filters(), tab=tab, user=user)
        rows = rows.prefetch_related("target")
        page = Paginator(rows, 50).get_page(self.request.GET.get("page"))
        counts = selectors.inbox_counts(user)
        context = super().get_context_data(**kwargs)
        context.update(
            title=f"我的流程 · {selectors.TABS[tab]}",
            tab=tab,
            tabs=[(key, label, counts[key]) for key, label in selectors.TABS.items()],
            form=form,
            page=page,
            query=self.request.GET.urlencode(),
            query_without_tab="&".join(f"{k}={v}" for k, v in self.request.GET.items() if k not in ("tab", "page")),
        )
        return context


EXPORT_COLUMNS = ["流程编号", "流程", "标题", "客户", "发起人", "状态", "当前节点", "发起时间", "结束时间"]


class SearchView(DeskView):
    """流程查询: every process the user may see, filtered; exports the result to XLSX or CSV."""

    template_name = "workflow/search.html"
    title = "流程查询"

    def results(self) -> tuple[DateRangeForm, models.QuerySet[ProcessInstance], list[Any]]:
        form = DateRangeForm(self.request.GET or None)
        rows = selectors.inbox_filter(
            selectors.instances_visible_to(self.user)
            .select_related("initiator", "customer")
            .prefetch_related("target"),
            form.filters(),
        )
        custom = []
        code = form.cleaned_data.get("code") if form.is_bound and form.is_valid() else ""
        if code:
            for cf in custom_fields_for(code):
                if cf.field_type == FieldType.CHOICE:
                    chosen = self.request.GET.get(f"cf_{cf.name}", "")
                    custom.append({"field": cf, "chosen": chosen})
                    if chosen:
                        rows = rows.filter(**{f"form_data__{cf.name}": chosen})
        return form, rows, custom

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        export = request.GET.get("export")
        if export in ("xlsx", "csv"):
            form, rows, _ = self.results()
            return export_response(
                rows, export, code=form.cleaned_data.get("code", "") if form.is_bound and form.is_valid() else ""
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form, rows, custom = self.results()
        context = super().get_context_data(**kwargs)
        context.update(
            form=form,
            page=Paginator(rows, 50).get_page(self.request.GET.get("page")),
            custom_filters=custom,
            query="&".join(f"{k}={v}" for k, v in self.request.GET.items() if k not in ("page", "export")),
        )
        return context


def export_rows(rows: models.QuerySet[ProcessInstance], code: str) -> tuple[list[str], list[list[Any]]]:
    """One row per instance; filtered to one process, its form fields follow: every field any exported
    instance was started with (the current form's first), each instance filled from its own form, so
    instances of a type edited since still export what they hold."""
    forms_by_fields: dict[str, type[ProcessForm]] = {}

    def form_of(instance: ProcessInstance) -> type[ProcessForm]:
        key = json.dumps(instance.definition_snapshot.get("fields"), sort_keys=True, ensure_ascii=False)
        if key not in forms_by_fields:
            forms_by_fields[key] = instance_form_class(instance)
        return forms_by_fields[key]

    instances = list(rows)
    columns: dict[str, str] = {}  # field name -> column title
    if code:
        for form_class in [process_form_class(code), *(form_of(p) for p in instances)]:
            for name, field in form_class.base_fields.items():
                columns.setdefault(name, str(field.label or name))
    header = [*EXPORT_COLUMNS, *columns.values()]
    body = []
    for p in instances:
        line: list[Any] = [
            p.number,
            p.process_name,
            p.title,
            p.customer.name if p.customer else "",
            str(p.initiator),
            p.get_status_display(),
            p.current_node_name,
            timezone.localtime(p.submitted_at).strftime("%Y-%m-%d %H:%M") if p.submitted_at else "",
            timezone.localtime(p.finished_at).strftime("%Y-%m-%d %H:%M") if p.finished_at else "",
        ]
        if columns:
            fields = form_of(p).base_fields
            line += [display_value(fields[name], p.form_data.get(name)) if name in fields else "" for name in columns]
        body.append(line)
    return header, body


def export_response(rows: models.QuerySet[ProcessInstance], kind: str, *, code: str) -> HttpResponse:
    header, body = export_rows(rows, code)
    stamp = f"{timezone.localdate():%Y%m%d}"
    if kind == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="processes-{stamp}.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
        writer = csv.writer(response)
        writer.writerow(header)
        writer.writerows(body)
        return response
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "流程查询"
    sheet.append(header)
    for line in body:
        sheet.append(line)
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="processes-{stamp}.xlsx"'
    return response


# ----------------------------------------------------------------------------------------- delegation
class DelegationForm(forms.Form):
    delegate = forms.ModelChoiceField(label="代理人", queryset=User.objects.none())
    start = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="原因", required=False, max_length=200)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = staff_users().exclude(pk=user.pk)  # type: ignore[attr-defined]
        desk_widget_style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            self.add_error("end", "结束日期不能早于开始日期")
        return data


class DelegationView(DeskView):
    """代理: while I am away, a colleague acts on my tasks (recorded as "同事 代理 我")."""

    template_name = "workflow/delegations.html"
    title = "流程代理"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.user
        context = super().get_context_data(**kwargs)
        context.setdefault("form", DelegationForm(user=user))
        context["given"] = Delegation.objects.filter(user=user).select_related("delegate")
        context["taken"] = Delegation.objects.filter(delegate=user).select_related("user")
        context["today"] = timezone.localdate()
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        user = self.user
        if request.POST.get("end_delegation", "").isdigit():
            services.delegation_cancel(user=user, delegation_id=int(request.POST["end_delegation"]))
            messages.success(request, "代理已取消")
            return redirect("workflow:delegations")
        form = DelegationForm(request.POST, user=user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        services.delegation_create(user=user, **form.cleaned_data)
        messages.success(request, "代理已设置")
        return redirect("workflow:delegations")
