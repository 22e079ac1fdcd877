"""API: bills with their lines (DESIGN §4), read-only; narrowed by billing.selectors.bills_visible_to."""

from __future__ import annotations

import re
from datetime import date
from typing import cast

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from sales_erp.api.fields import ID_REGEX, id_param
from sales_erp.api.pagination import Pagination
from sales_erp.api.permissions import IsStaff, ModelPermissions
from sales_erp.billing.models import Bill, BillLine, BillStatus
from sales_erp.billing.selectors import bills_visible_to
from sales_erp.org.models import User

PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
PERIOD_INVALID = "period 应为 YYYY-MM，例如 2026-10，收到 “{value}”"
STATUS_INVALID = "status 应为 {choices} 之一，收到 “{value}”"


class BillLineSerializer(serializers.ModelSerializer):
    account_code = serializers.CharField(source="account.code", read_only=True)

    class Meta:
        model = BillLine
        fields = ["id", "account", "account_code", "carrier", "country", "count", "unit_price", "amount"]
        read_only_fields = fields


class BillSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    product_code = serializers.CharField(source="product.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    open_amount = serializers.SerializerMethodField(help_text="未销账金额(元)")
    lines = BillLineSerializer(many=True, read_only=True)

    class Meta:
        model = Bill
        fields = [
            "id",
            "name",
            "customer",
            "customer_name",
            "product",
            "product_code",
            "period",
            "bill_date",
            "due_date",
            "count",
            "amount",
            "written_off_amount",
            "invoiced_amount",
            "open_amount",
            "status",
            "status_display",
            "generated_at",
            "lines",
        ]
        read_only_fields = fields

    def get_open_amount(self, bill: Bill) -> str:
        return str(bill.amount - bill.written_off_amount)


def period_parse(value: str) -> date:
    match = PERIOD.match(value.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise serializers.ValidationError({"period": [PERIOD_INVALID.format(value=value)]})
    return date(int(match.group(1)), int(match.group(2)), 1)


@extend_schema_view(
    list=extend_schema(
        summary="账单列表",
        parameters=[
            OpenApiParameter("customer", int, description="客户编号"),
            OpenApiParameter("product", int, description="产品编号"),
            OpenApiParameter("period", str, description="账单月份 YYYY-MM"),
            OpenApiParameter("status", str, enum=list(BillStatus.values), description="状态"),
        ],
    ),
    retrieve=extend_schema(summary="账单详情（含明细）"),
)
class BillViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BillSerializer
    pagination_class = Pagination
    lookup_value_regex = ID_REGEX
    permission_classes = [IsStaff, ModelPermissions]
    perms = {"list": "billing.view_bill", "retrieve": "billing.view_bill"}

    def get_queryset(self) -> QuerySet[Bill]:
        lines = Prefetch("lines", queryset=BillLine.objects.select_related("account").order_by("pk"))
        bills = bills_visible_to(cast(User, self.request.user)).prefetch_related(lines).order_by("-period", "pk")
        params = self.request.query_params
        for name in ("customer", "product"):
            value = id_param(params, name)
            if value is not None:
                bills = bills.filter(**{f"{name}_id": value})
        if params.get("period"):
            bills = bills.filter(period=period_parse(params["period"]))
        if params.get("status"):
            if params["status"] not in BillStatus.values:
                choices = "、".join(BillStatus.values)
                raise serializers.ValidationError(
                    {"status": [STATUS_INVALID.format(choices=choices, value=params["status"])]}
                )
            bills = bills.filter(status=params["status"])
        return bills
