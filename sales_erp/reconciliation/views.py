"""Desk pages of reconciliation: the customers with unreconciled bills, one customer's reconciliation
page (the engine's start page of the `reconciliation` process, fixed to that customer), and the
electronic statement (电子对账单) of what the page shows."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from sales_erp.customers.models import Customer
from sales_erp.desk.views import DeskView
from sales_erp.reconciliation.forms import ReconciliationForm
from sales_erp.reconciliation.selectors import customer_visible, customers_with_unreconciled_bills, statement_line
from sales_erp.statements.documents import StatementRefused, statement_pdf
from sales_erp.workflow.views import StartView

PROCESS = "reconciliation"


class CustomerListView(DeskView):
    """对账: the customers the user may see that have 未对账 bills, each linking to its page."""

    template_name = "reconciliation/customers.html"
    title = "对账"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["customers"] = customers_with_unreconciled_bills(user=self.user)
        return context


class ReconciliationPageView(StartView):
    """销售对账流程 for one customer: its 未对账 bills, figures, totals, downloads, remarks, 立即发起.

    The engine's start page does the drafts, remarks, 抄送, attachments and the start itself; the form is
    ReconciliationForm rendered by hooks.PROCESSES["reconciliation"].template. The customer comes from the
    URL (a hidden one is 404, like ?target= on the start page).
    """

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        query = request.GET.copy()
        query["target"] = str(kwargs.pop("customer_id"))
        request.GET = query  # type: ignore[assignment]
        super().setup(request, *args, code=PROCESS, **kwargs)


class StatementView(DeskView):
    """电子对账单 (PDF) of the ticked bills with the figures as the page shows them now (typed figures
    included, saved or not): 下载 as an attachment, 预览 (inline=1) in the browser."""

    def post(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        customer = customer_visible(user=self.user, pk=customer_id)
        if customer is None:
            raise Http404
        form = ReconciliationForm(request.POST, target=customer, user=self.user)
        if not form.is_valid():
            return self.refused(customer, [str(e) for errors in form.errors.values() for e in errors])
        lines = [
            statement_line(bill=line.bill, customer_count=line.customer_count, agreed_count=line.agreed_count)
            for line in form.lines
        ]
        today: date = timezone.localdate()
        try:
            pdf = statement_pdf(
                entity=None,  # the default invoicing entity
                customer=customer,
                lines=lines,
                remarks=request.POST.get("remarks", "").strip(),
                issued_on=today,
            )
        except StatementRefused as refusal:
            return self.refused(customer, [str(refusal)])
        response = HttpResponse(pdf, content_type="application/pdf")
        disposition = "inline" if request.POST.get("inline") else "attachment"
        response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{statement_filename(customer, today)}"
        return response

    def refused(self, customer: Customer, errors: list[str], *, status: int = 400) -> HttpResponse:
        context = self.get_context_data(title="电子对账单", customer=customer, errors=errors)
        return TemplateResponse(self.request, "reconciliation/statement_refused.html", context, status=status)


def statement_filename(customer: Customer, day: date) -> str:
    return quote(f"电子对账单-{customer.name}-{day:%Y%m%d}.pdf")
