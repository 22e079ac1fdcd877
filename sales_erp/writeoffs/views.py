"""Desk pages of write-offs: 销账 (customers to write off), the manual write-off page, a write-off's page
with 冲销 for finance; 提成依据 (commission basis) is a report now (sales_erp.reports), its old address forwards."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse

from sales_erp.billing.models import Bill, BillStatus
from sales_erp.customers.models import Customer
from sales_erp.customers.selectors import customer_edit_q, customers_visible_to
from sales_erp.deposits.models import Deposit, DepositStatus
from sales_erp.desk.views import DeskView
from sales_erp.workflow.errors import ProcessRefused
from sales_erp.writeoffs import selectors
from sales_erp.writeoffs.models import WriteOffStatus
from sales_erp.writeoffs.services import WriteOffRefused, fmt, money, write_off_reverse, write_off_start

STARTED = "销账流程 {number} 已发起，金额已预占，当前节点：{node}"
REVERSED = "已冲销，账单和到款余额已恢复"


def customers_editable(user: Any) -> Any:
    q = customer_edit_q(user)
    customers = Customer.objects.all()
    return customers if q is None else customers.filter(q)


class WriteOffHomeView(DeskView):
    """销账: the customers one may write off for that have open bills or deposits with balance, and the
    write-offs one may see."""

    title = "销账"
    template_name = "writeoffs/home.html"

    def allowed(self, request: HttpRequest) -> bool:
        return request.user.has_perm("writeoffs.view_writeoff")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        open_bills = Bill.objects.filter(
            customer=OuterRef("pk"), status=BillStatus.RECONCILED, written_off_amount__lt=F("amount")
        )
        credit = Deposit.objects.filter(customer=OuterRef("pk"), status=DepositStatus.MATCHED, available__gt=0)
        customers = (
            customers_editable(self.user)
            .annotate(has_bills=Exists(open_bills), has_credit=Exists(credit))
            .filter(Q(has_bills=True) | Q(has_credit=True))
            .order_by("name")[:200]
        )
        context.update(
            customers=customers,
            write_offs=selectors.write_offs_visible_to(self.user)[:100],
        )
        return context


class WriteOffNewView(DeskView):
    """手工销账: pick the customer's open bills and deposits with balance, allocate, start the process."""

    template_name = "writeoffs/new.html"

    def allowed(self, request: HttpRequest) -> bool:
        self.customer = customers_editable(self.user).filter(pk=self.kwargs["customer_id"]).first()
        return self.customer is not None and request.user.has_perm("writeoffs.add_writeoff")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.show()

    def show(self, *, error: str = "", entered: dict[str, str] | None = None, status: int = 200) -> HttpResponse:
        customer = self.customer
        bills = selectors.bills_open_for_customer(customer=customer)
        deposits = list(selectors.deposits_available_for_customer(customer=customer))
        for row, prefix in [*((b, "bill") for b in bills), *((d, "deposit") for d in deposits)]:
            row.entered = (entered or {}).get(f"{prefix}-{row.pk}", "")  # type: ignore[attr-defined]
        context = self.get_context_data(
            title=f"销账流程（{customer}）",
            customer=customer,
            bills=bills,
            deposits=deposits,
            bill_total=fmt(sum((b.amount for b in bills), Decimal(0))),
            open_total=fmt(sum((b.open_amount for b in bills), Decimal(0))),  # type: ignore[attr-defined]
            available_total=fmt(sum((d.available for d in deposits), Decimal(0))),
            entered=entered or {},
            note=(entered or {}).get("note", ""),
            remarks=(entered or {}).get("remarks", ""),
            error=error,
        )
        return self.render_to_response(context, status=status)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        entered = {k: str(v).strip() for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        try:
            bills = rows_from_post(entered, "bill", "账单")
            deposits = rows_from_post(entered, "deposit", "到款")
        except WriteOffRefused as refusal:
            return self.show(error=refusal.message, entered=entered, status=400)
        try:
            instance = write_off_start(
                user=self.user,
                customer=self.customer,
                bills=bills,
                deposits=deposits,
                note=entered.get("note", ""),
                remarks=entered.get("remarks", ""),
            )
        except ProcessRefused as refusal:
            return self.show(error=refusal.message, entered=entered, status=400)
        messages.success(request, STARTED.format(number=instance.number, node=instance.current_node_name or "已归档"))
        return redirect("workflow:instance", pk=instance.pk)


def rows_from_post(data: dict[str, str], prefix: str, what: str) -> list[tuple[int, Decimal]]:
    """The rows given an amount (`bill-<id>`, `deposit-<id>`), in the page's order (oldest first)."""
    rows = []
    for key, value in data.items():
        head, _, pk = key.partition("-")
        if head == prefix and pk.isdigit() and value:
            rows.append((int(pk), money(value, what=f"{what} {pk} ")))
    return rows


class WriteOffDetailView(DeskView):
    template_name = "writeoffs/detail.html"

    def allowed(self, request: HttpRequest) -> bool:
        self.write_off = selectors.write_off_visible(self.user, self.kwargs["pk"])
        return self.write_off is not None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        write_off = self.write_off
        assert write_off is not None
        context.update(
            title=f"销账 {write_off.pk}（{write_off.customer}）",
            write_off=write_off,
            allocations=write_off.allocations.select_related("bill", "deposit"),
            can_reverse=write_off.status == WriteOffStatus.POSTED and self.user.has_perm("writeoffs.reverse_writeoff"),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """冲销 (finance only): audited with who, when and why."""
        if not request.user.has_perm("writeoffs.reverse_writeoff"):
            raise Http404
        assert self.write_off is not None
        try:
            write_off_reverse(write_off=self.write_off, user=self.user, reason=request.POST.get("reason", ""))
        except WriteOffRefused as refusal:
            return self.render_to_response(self.get_context_data(error=refusal.message), status=400)
        messages.success(request, REVERSED)
        return redirect("writeoffs:detail", pk=self.write_off.pk)


# ------------------------------------------------------------------------------------ commission basis
class CommissionView(DeskView):
    """提成依据 lives in the reports (销账与提成依据, reports.reports.CommissionBasis over
    selectors.commission_basis): this old address forwards there, its `from`/`to`/`export=xlsx` translated."""

    def allowed(self, request: HttpRequest) -> bool:
        return request.user.has_perm("writeoffs.view_commission")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        names = {"from": "month_from", "to": "month_to"}
        query = QueryDict(mutable=True)
        for key in request.GET:
            value = request.GET.get(key, "")
            if key == "export":
                query["format"] = value
            else:
                query[names.get(key, key)] = value
        url = reverse("reports:report", args=["commission"])
        return redirect(f"{url}?{query.urlencode()}" if query else url)


def customer_write_offs_panel(*, customer: Customer, user: Any) -> dict[str, Any] | None:
    """The customer page's 销账 panel: open amount, credit left, the latest write-offs, a link to write off."""
    if not customers_visible_to(user).filter(pk=customer.pk).exists():
        return None
    bills = selectors.bills_open_for_customer(customer=customer)
    deposits = list(selectors.deposits_available_for_customer(customer=customer))
    write_offs = list(selectors.write_offs_visible_to(user).filter(customer=customer)[:10])
    if not bills and not deposits and not write_offs:
        return None
    return {
        "title": "销账",
        "template": "writeoffs/customer_panel.html",
        "open_total": fmt(sum((b.open_amount for b in bills), Decimal(0))),  # type: ignore[attr-defined]
        "credit_total": fmt(sum((d.available for d in deposits), Decimal(0))),
        "write_offs": write_offs,
        "new_url": reverse("writeoffs:new", args=[customer.pk])
        if customers_editable(user).filter(pk=customer.pk).exists()
        else "",
    }
