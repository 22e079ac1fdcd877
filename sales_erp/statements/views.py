"""Desk downloads of a reconciliation's documents: the data-analysis report (数据分析报告) of chosen bills.

/desk/statements/usage-report/?bills=<id>&bills=<id>&format=pdf|xlsx[&inline=1 for 预览]
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from sales_erp.billing.models import Bill
from sales_erp.desk.views import DeskView
from sales_erp.statements.selectors import BillsRefused, bills_for_document
from sales_erp.statements.usage_report import report_file_name_for, usage_report_pdf, usage_report_xlsx

FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BAD_FORMAT = "不支持的格式 “{value}”：请选择 pdf 或 xlsx"


class UsageReportView(DeskView):
    """数据分析报告 of the selected bills, as PDF or XLSX; any bill the user may not see gives 404."""

    title = "数据分析报告"
    template_name = "statements/refused.html"

    def refuse(self, message: str) -> HttpResponse:
        return self.render_to_response(self.get_context_data(message=message), status=400)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            bill_ids = [int(value) for value in request.GET.getlist("bills")]
        except ValueError:
            raise Http404 from None
        kind = request.GET.get("format", "pdf")
        if kind not in FORMATS:
            return self.refuse(BAD_FORMAT.format(value=kind))
        try:
            bills = bills_for_document(user=self.user, bill_ids=bill_ids)
        except Bill.DoesNotExist:
            raise Http404 from None
        except BillsRefused as refused:
            return self.refuse(str(refused))
        customer = bills[0].customer
        render = usage_report_pdf if kind == "pdf" else usage_report_xlsx
        data = render(customer=customer, bills=bills)
        inline = request.GET.get("inline") == "1" and kind == "pdf"
        return HttpResponse(
            data,
            content_type=FORMATS[kind],
            headers={
                "Content-Disposition": content_disposition_header(
                    not inline, report_file_name_for(customer=customer, bills=bills, extension=kind)
                )
            },
        )
