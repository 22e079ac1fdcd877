"""API: usage pushed by the messaging platform (POST /api/billing/usage/), with the same checks and the
same idempotency as the file import."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sales_erp.billing.models import CARRIER_BY_TEXT
from sales_erp.billing.services import UsageRejected, usage_push
from sales_erp.org.models import User

MAX_ROWS = 100_000


class CanImportUsage(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.has_perm("billing.import_usage"))


class UsageRowSerializer(serializers.Serializer):
    day = serializers.DateField(label="日期")
    account = serializers.CharField(label="账号", max_length=64)
    carrier = serializers.ChoiceField(label="运营商", choices=sorted(CARRIER_BY_TEXT), required=False, default="")
    submitted = serializers.IntegerField(label="提交条数", min_value=0, required=False, default=0)
    succeeded = serializers.IntegerField(label="成功条数", min_value=0, required=False, default=0)
    billable = serializers.IntegerField(label="计费条数", min_value=0)
    country = serializers.CharField(label="国家/地区", max_length=8, required=False, allow_blank=True, default="")


class UsagePushSerializer(serializers.Serializer):
    rows = UsageRowSerializer(many=True, allow_empty=False, max_length=MAX_ROWS)  # type: ignore[call-arg]


def serializer_errors(errors: Any) -> list[str]:
    """The serializer's findings in the file import's words: "第 2 行: 计费条数: 请填写合法的整数值。"
    (rows counted from 1), so a client reads one kind of error whatever found it."""
    labels = {name: str(f.label) for name, f in UsageRowSerializer().fields.items()}
    rows = errors.get("rows", errors)
    if not isinstance(rows, dict):
        return [f"rows: {message}" for message in rows]
    found = []
    for key, fields in rows.items():
        if not isinstance(key, int):  # about the list itself (empty, too long)
            found += [f"rows: {message}" for message in fields]
            continue
        found += [f"第 {key + 1} 行: {labels.get(name, name)}: {m}" for name, ms in fields.items() for m in ms]
    return found


class UsagePushApiView(APIView):
    permission_classes = [CanImportUsage]

    @extend_schema(
        request=UsagePushSerializer,
        responses={200: OpenApiResponse(description="导入结果"), 400: OpenApiResponse(description="逐行错误")},
    )
    def post(self, request: Request) -> Response:
        incoming = UsagePushSerializer(data=request.data)
        if not incoming.is_valid():
            return Response({"errors": serializer_errors(incoming.errors)}, status=status.HTTP_400_BAD_REQUEST)
        try:
            result = usage_push(rows=incoming.validated_data["rows"], user=cast(User, request.user))
        except UsageRejected as exc:
            return Response({"errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            {
                "import": result.record.pk if result.record else None,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "months": result.months,
                "unmatched": [{"code": u.code, "rows": u.rows, "billable": u.billable} for u in result.unmatched],
            },
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )
