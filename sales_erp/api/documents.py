"""API: 到款导入 (POST /api/deposits/import/, a bank statement file) and the reconciliation documents —
电子对账单 (POST /api/statements/) and 数据分析报告 (POST /api/usage-reports/) of chosen bills, as files.

The deposit import runs deposits.services.deposits_import (all or nothing; the same file again adds
nothing). The documents see the bills the desk shows the user (statements.selectors.bills_for_document):
a hidden or unknown bill is 404; statement lines as the reconciliation page builds them."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sales_erp.api.fields import IdField
from sales_erp.api.permissions import IsStaff, ModelPermissions
from sales_erp.billing.models import Bill
from sales_erp.deposits.models import ImportProfile
from sales_erp.deposits.services import DepositImportRejected, deposits_import
from sales_erp.org.models import User
from sales_erp.reconciliation.selectors import bill_statement_line
from sales_erp.statements.documents import StatementRefused, statement_pdf
from sales_erp.statements.selectors import BillsRefused, bills_for_document
from sales_erp.statements.usage_report import report_file_name_for, usage_report_pdf, usage_report_xlsx

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROFILE_UNKNOWN = "流水格式 {value} 不存在或已停用"
MAX_BILLS = 500


# ------------------------------------------------------------------------------------------ deposits
class DepositImportSerializer(serializers.Serializer):
    profile = IdField(label="流水格式", help_text="银行流水格式（ImportProfile）的编号")
    file = serializers.FileField(label="银行流水文件", help_text="CSV 或 XLSX")

    def validate_profile(self, value: int) -> ImportProfile:
        profile = ImportProfile.objects.filter(pk=value, is_active=True).first()
        if profile is None:
            raise serializers.ValidationError(PROFILE_UNKNOWN.format(value=value))
        return profile


class DepositImportResultSerializer(serializers.Serializer):
    import_id = serializers.IntegerField(help_text="导入记录编号")
    rows = serializers.IntegerField(help_text="数据行")
    credits = serializers.IntegerField(help_text="收入笔数")
    debits = serializers.IntegerField(help_text="支出笔数（不导入）")
    created = serializers.IntegerField(help_text="新增到款")
    already_imported = serializers.IntegerField(help_text="已导入过")
    matched = serializers.IntegerField(help_text="自动匹配")
    total = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="新增金额(元)")
    same_file_before = serializers.IntegerField(allow_null=True, help_text="同一文件上次导入的记录编号")
    deposits = serializers.ListField(child=serializers.DictField(), help_text="新增的到款")


class ErrorsSerializer(serializers.Serializer):
    errors = serializers.ListField(  # type: ignore[assignment]
        child=serializers.CharField(), help_text="逐行错误（第 N 行: …）"
    )


class DepositImportApiView(APIView):
    """银行流水导入: multipart `file` + `profile`; finance's permission deposits.import_deposits."""

    permission_classes = [IsStaff, ModelPermissions]
    parser_classes = [MultiPartParser, FormParser]
    perms = {"post": "deposits.import_deposits"}

    @extend_schema(
        summary="银行流水导入（到款导入）",
        request={"multipart/form-data": DepositImportSerializer},
        responses={
            200: DepositImportResultSerializer,
            400: OpenApiResponse(ErrorsSerializer, description="逐行错误；什么都没有保存"),
        },
    )
    def post(self, request: Request) -> Response:
        incoming = DepositImportSerializer(data=request.data)
        if not incoming.is_valid():
            errors = [f"{name}: {m}" for name, ms in incoming.errors.items() for m in ms]
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        upload = incoming.validated_data["file"]
        try:
            result = deposits_import(
                data=upload.read(),
                name=upload.name or "",
                profile=incoming.validated_data["profile"],
                user=cast(User, request.user),
            )
        except DepositImportRejected as exc:
            return Response({"errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        record = result.record
        deposits = record.deposits.order_by("received_on", "pk")
        return Response(
            {
                "import_id": record.pk,
                "rows": record.rows,
                "credits": record.credits,
                "debits": record.debits,
                "created": record.created,
                "already_imported": record.already_imported,
                "matched": record.matched,
                "total": f"{record.total:.2f}",
                "same_file_before": result.same_file_before.pk if result.same_file_before else None,
                "deposits": [
                    {
                        "id": d.pk,
                        "received_on": d.received_on.isoformat(),
                        "payer": d.payer,
                        "amount": f"{d.amount:.2f}",
                        "status": d.status,
                        "customer": d.customer_id,
                    }
                    for d in deposits
                ],
            }
        )


# ----------------------------------------------------------------------------------------- documents
class BillsSerializer(serializers.Serializer):
    bills = serializers.ListField(
        child=IdField(), allow_empty=False, max_length=MAX_BILLS, help_text="账单编号（同一客户）"
    )


class StatementRequestSerializer(BillsSerializer):
    remarks = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000, help_text="备注")


class UsageReportRequestSerializer(BillsSerializer):
    format = serializers.ChoiceField(choices=["pdf", "xlsx"], default="pdf", help_text="pdf 或 xlsx")


def errors_of(serializer: serializers.Serializer) -> Response:
    errors = [f"{name}: {m}" for name, ms in serializer.errors.items() for m in (ms if isinstance(ms, list) else [ms])]
    return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)


def bills_of(request: Request, bill_ids: list[int]) -> list[Bill]:
    try:
        return bills_for_document(user=cast(User, request.user), bill_ids=bill_ids)
    except Bill.DoesNotExist:
        raise NotFound("账单不存在") from None


def file_response(data: bytes, *, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    return response


BINARY_ERRORS: dict[int, Any] = {
    400: OpenApiResponse(ErrorsSerializer, description="选择有误（没有账单、不同客户、没有我司开票信息）"),
    404: OpenApiResponse(description="有账单不存在或不可见"),
}


class StatementApiView(APIView):
    """电子对账单 (PDF) of the chosen bills of one customer, with the figures as they stand now."""

    permission_classes = [IsStaff, ModelPermissions]
    perms = {"post": "billing.view_bill"}

    @extend_schema(
        summary="电子对账单（PDF）",
        request=StatementRequestSerializer,
        responses={(200, PDF): OpenApiResponse(OpenApiTypes.BINARY, description="PDF 文件"), **BINARY_ERRORS},
    )
    def post(self, request: Request) -> Response | HttpResponse:
        incoming = StatementRequestSerializer(data=request.data)
        if not incoming.is_valid():
            return errors_of(incoming)
        try:
            bills = bills_of(request, incoming.validated_data["bills"])
            customer = bills[0].customer
            today = timezone.localdate()
            pdf = statement_pdf(
                entity=None,
                customer=customer,
                lines=[bill_statement_line(bill) for bill in bills],
                remarks=incoming.validated_data["remarks"],
                issued_on=today,
            )
        except (BillsRefused, StatementRefused) as refusal:
            return Response({"errors": [str(refusal)]}, status=status.HTTP_400_BAD_REQUEST)
        return file_response(pdf, content_type=PDF, name=f"电子对账单-{customer.name}-{today:%Y%m%d}.pdf")


class UsageReportApiView(APIView):
    """数据分析报告 of the chosen bills of one customer, as PDF or XLSX."""

    permission_classes = [IsStaff, ModelPermissions]
    perms = {"post": "billing.view_bill"}

    @extend_schema(
        summary="数据分析报告（PDF 或 XLSX）",
        request=UsageReportRequestSerializer,
        responses={
            (200, PDF): OpenApiResponse(OpenApiTypes.BINARY, description="PDF 文件"),
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="Excel 文件"),
            **BINARY_ERRORS,
        },
    )
    def post(self, request: Request) -> Response | HttpResponse:
        incoming = UsageReportRequestSerializer(data=request.data)
        if not incoming.is_valid():
            return errors_of(incoming)
        try:
            bills = bills_of(request, incoming.validated_data["bills"])
        except BillsRefused as refusal:
            return Response({"errors": [str(refusal)]}, status=status.HTTP_400_BAD_REQUEST)
        customer = bills[0].customer
        kind = incoming.validated_data["format"]
        render = usage_report_pdf if kind == "pdf" else usage_report_xlsx
        return file_response(
            render(customer=customer, bills=bills),
            content_type=PDF if kind == "pdf" else XLSX,
            name=report_file_name_for(customer=customer, bills=bills, extension=kind),
        )
