"""API: approval processes — start any type (registered or defined in the workbench with no code), act on
an instance, list my 待办. The same services as the desk's pages (docs/architecture.md "For the API"):
a refusal is a 400 with the engine's sentence, a lost race ("already handled") a 409."""

from __future__ import annotations

from typing import Any, cast

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from sales_erp.api.fields import ID_REGEX, IdField
from sales_erp.api.pagination import Pagination
from sales_erp.api.permissions import IsStaff
from sales_erp.org.models import User
from sales_erp.workflow import services
from sales_erp.workflow.errors import ProcessRefused
from sales_erp.workflow.models import ProcessDefinition, ProcessInstance, Status, TimelineEntry
from sales_erp.workflow.selectors import inbox, instances_visible_to, todo_tasks
from sales_erp.workflow.views import target_visible

TARGET_NOT_FOUND = "没有编号为 {pk} 的{kind}，或您无权查看"
PERSON_NOT_FOUND = "没有编号为 {pk} 的在职员工"
NEEDS_PERSON = "{action}需要给出 {field}（员工编号）"
NEEDS_NODE = "退回需要给出 node（要退回到的节点序号，从 1 开始）"


class TimelineSerializer(serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display", read_only=True)
    actor: serializers.StringRelatedField = serializers.StringRelatedField()

    class Meta:
        model = TimelineEntry
        fields = ["action", "action_display", "actor", "role", "node_name", "opinion", "created_at"]
        read_only_fields = fields


class InstanceSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    process_name = serializers.CharField(read_only=True)
    initiator: serializers.StringRelatedField = serializers.StringRelatedField()
    target_type = serializers.SerializerMethodField()
    handlers = serializers.SerializerMethodField(help_text="当前节点全部待处理人")
    my_task = serializers.SerializerMethodField(help_text="我可办理的待办编号（作为 task_id 回传），没有为 null")
    timeline = TimelineSerializer(many=True, read_only=True)

    class Meta:
        model = ProcessInstance
        fields = [
            "id",
            "number",
            "code",
            "process_name",
            "title",
            "initiator",
            "customer",
            "target_type",
            "target_id",
            "form_data",
            "remarks",
            "status",
            "status_display",
            "current_node",
            "current_node_name",
            "handlers",
            "my_task",
            "submitted_at",
            "timeline",
        ]
        read_only_fields = fields

    def get_target_type(self, instance: ProcessInstance) -> str | None:
        if instance.target_type_id is None:
            return None
        return ContentType.objects.get_for_id(instance.target_type_id).model

    def get_handlers(self, instance: ProcessInstance) -> list[str]:
        if instance.status != Status.RUNNING:
            return []
        pending = instance.tasks.filter(step=instance.step, status="pending").select_related("assignee")
        return [str(task.assignee) for task in pending]

    def get_my_task(self, instance: ProcessInstance) -> int | None:
        user = self.context["request"].user
        task = todo_tasks(user).filter(instance=instance).order_by("pk").first()
        return task.pk if task else None


class StartSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=50, help_text="流程编码，如 apply_customer、电商购销单的编码")
    target = IdField(required=False, allow_null=True, help_text="发起对象的编号（从客户/产品/账号/账单发起的流程）")
    form_data = serializers.DictField(
        required=False,
        default=dict,
        help_text="表单数据，按字段名：关联对象给编号，金额为字符串，是/否为 true/false",
    )
    remarks = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


ACTIONS = ["approve", "reject", "withdraw", "transfer", "add_signer", "send_back", "remind", "resubmit"]


class ActSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=ACTIONS, help_text="通过、驳回、撤回、转办、加签、退回、催办、重新提交")
    opinion = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    task_id = IdField(required=False, allow_null=True, help_text="所办理的待办编号")
    to_user = IdField(required=False, help_text="转办给（员工编号）")
    signer = IdField(required=False, help_text="加签人（员工编号）")
    node = serializers.IntegerField(
        required=False, min_value=1, max_value=100, help_text="退回到第几个节点（从 1 开始）"
    )
    form_data = serializers.DictField(
        required=False, allow_null=True, default=None, help_text="通过（可修改表单的节点）或重新提交时的新表单数据"
    )


class RefusalSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(required=False)  # type: ignore[assignment]  # the response's key, not the property


def refusal_response(exc: ProcessRefused) -> Response:
    http = status.HTTP_409_CONFLICT if exc.code == "already_handled" else status.HTTP_400_BAD_REQUEST
    body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
    if exc.errors:
        body["errors"] = {name: [str(m) for m in messages] for name, messages in exc.errors.items()}
    return Response(body, status=http)


def target_find(definition: ProcessDefinition, pk: int | None, user: User) -> Any:
    """The object a process starts from, if the user may see it (else a 404 that says nothing more)."""
    if pk is None:
        return None
    label = definition.target_label
    if not label:
        raise serializers.ValidationError({"target": [f"流程「{definition.name}」不从对象发起，请不要给出 target"]})
    try:
        model = apps.get_model(label)
    except LookupError:
        raise NotFound(TARGET_NOT_FOUND.format(pk=pk, kind=label)) from None
    target = model._default_manager.filter(pk=pk).first()
    if target is None or not target_visible(user, target):
        raise NotFound(TARGET_NOT_FOUND.format(pk=pk, kind=model._meta.verbose_name))
    return target


def staff_person(pk: int | None, *, field: str, action: str) -> User:
    if pk is None:
        raise ProcessRefused(NEEDS_PERSON.format(action=action, field=field), code="person_required")
    person = User.objects.filter(pk=pk, is_active=True, is_staff=True).first()
    if person is None:
        raise ProcessRefused(PERSON_NOT_FOUND.format(pk=pk), code="person_unknown")
    return person


@extend_schema_view(
    list=extend_schema(
        summary="我可见的流程",
        parameters=[
            OpenApiParameter("code", str, description="流程编码"),
            OpenApiParameter("status", str, enum=list(Status.values), description="状态"),
        ],
    ),
    retrieve=extend_schema(summary="流程详情（含时间线）"),
)
class ProcessViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = InstanceSerializer
    pagination_class = Pagination
    lookup_value_regex = ID_REGEX
    permission_classes = [IsStaff]

    def get_queryset(self) -> QuerySet[ProcessInstance]:
        instances = (
            instances_visible_to(cast(User, self.request.user))
            .select_related("initiator")
            .prefetch_related("timeline__actor")
            .order_by("-submitted_at", "-pk")
        )
        params = self.request.query_params
        if params.get("code"):
            instances = instances.filter(code=params["code"])
        if params.get("status"):
            instances = instances.filter(status=params["status"])
        return instances

    @extend_schema(summary="我的待办", responses=InstanceSerializer(many=True))
    @action(detail=False, methods=["get"])
    def todo(self, request: Request) -> Response:
        instances = inbox(cast(User, request.user), "todo").prefetch_related("timeline__actor")
        page = self.paginate_queryset(instances)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="发起流程（任何流程类型，含管理工作台无代码定义的类型）",
        request=StartSerializer,
        responses={201: InstanceSerializer, 400: RefusalSerializer, 404: OpenApiResponse(description="发起对象不可见")},
    )
    def create(self, request: Request) -> Response:
        incoming = StartSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        user = cast(User, request.user)
        definition = ProcessDefinition.objects.filter(code=data["code"], is_active=True).first()
        try:
            target = target_find(definition, data.get("target"), user) if definition else None
            instance = services.instance_start(
                code=data["code"], initiator=user, form_data=data["form_data"], target=target, remarks=data["remarks"]
            )
        except ProcessRefused as exc:
            return refusal_response(exc)
        instance = self.get_queryset().get(pk=instance.pk)
        return Response(self.get_serializer(instance).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="办理流程：通过、驳回、撤回、转办、加签、退回、催办、重新提交",
        request=ActSerializer,
        responses={
            200: InstanceSerializer,
            400: RefusalSerializer,
            404: OpenApiResponse(description="流程不存在或不可见"),
            409: RefusalSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def act(self, request: Request, pk: str | None = None) -> Response:
        instance = self.get_object()
        incoming = ActSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        user = cast(User, request.user)
        common = {"instance": instance, "user": user, "opinion": data["opinion"]}
        task_id = data.get("task_id")
        try:
            match data["action"]:
                case "approve":
                    services.instance_approve(**common, form_data=data["form_data"], task_id=task_id)
                case "reject":
                    services.instance_reject(**common, task_id=task_id)
                case "withdraw":
                    services.instance_withdraw(**common)
                case "transfer":
                    to_user = staff_person(data.get("to_user"), field="to_user", action="转办")
                    services.instance_transfer(**common, to_user=to_user, task_id=task_id)
                case "add_signer":
                    signer = staff_person(data.get("signer"), field="signer", action="加签")
                    services.instance_add_signer(**common, signer=signer, task_id=task_id)
                case "send_back":
                    if data.get("node") is None:
                        raise ProcessRefused(NEEDS_NODE, code="node_required")
                    services.instance_send_back(**common, node_index=data["node"] - 1, task_id=task_id)
                case "remind":
                    services.instance_remind(**common)
                case "resubmit":
                    services.instance_resubmit(**common, form_data=data["form_data"])
        except ProcessRefused as exc:
            return refusal_response(exc)
        return Response(self.get_serializer(self.get_queryset().filter(pk=instance.pk).first() or instance).data)
