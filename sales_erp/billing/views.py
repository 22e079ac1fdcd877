"""Desk pages of billing: 发送量导入, 生成账单, 出账."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from sales_erp.billing.forms import BillGenerateForm, BillRunForm, UsageImportForm
from sales_erp.billing.models import BillRun
from sales_erp.billing.services import BillRefused, UsageRejected, bill_generate, bill_run, month_add, usage_import
from sales_erp.desk.views import DeskView

GENERATED = "已生成{bill}：{count} 条，{amount} 元"
RUN_DONE = "{month} 出账完成：新出账单 {billed} 张，未出账产品 {no_bill} 个，已有账单 {existing} 张"


class UsageImportView(DeskView):
    title = "发送量导入"
    template_name = "billing/usage_import.html"

    def allowed(self, request: HttpRequest) -> bool:
        return request.user.has_perm("billing.import_usage")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=UsageImportForm()))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = UsageImportForm(request.POST, request.FILES)
        context: dict[str, Any] = {"form": form}
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                context["result"] = usage_import(
                    data=upload.read(),
                    name=upload.name or "",
                    user=self.user,
                    dry_run=form.cleaned_data["dry_run"],
                )
            except UsageRejected as exc:
                context["errors"] = exc.errors
        return self.render_to_response(self.get_context_data(**context))


class BillGenerateView(DeskView):
    """生成账单: one product's bill for one month, made or made again while not reconciled."""

    title = "生成账单"
    template_name = "billing/bill_generate.html"

    def allowed(self, request: HttpRequest) -> bool:
        return request.user.has_perm("billing.generate_bill")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        last_month = month_add(timezone.localdate().replace(day=1), -1)
        initial = {"product": request.GET.get("product"), "month": request.GET.get("month", f"{last_month:%Y-%m}")}
        form = BillGenerateForm(user=self.user, initial=initial)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = BillGenerateForm(request.POST, user=self.user)
        if form.is_valid():
            try:
                bill = bill_generate(
                    product=form.cleaned_data["product"],
                    period=form.cleaned_data["month"],
                    user=self.user,
                )
            except BillRefused as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, GENERATED.format(bill=bill.name, count=bill.count, amount=bill.amount))
                return HttpResponseRedirect(reverse("admin:billing_bill_change", args=[bill.pk]))
        return self.render_to_response(self.get_context_data(form=form))


class BillRunView(DeskView):
    """出账 by hand: the same run as the daily job, for a month finance picks."""

    title = "出账"
    template_name = "billing/bill_run.html"

    def allowed(self, request: HttpRequest) -> bool:
        return request.user.has_perm("billing.run_bills")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        last_month = month_add(timezone.localdate().replace(day=1), -1)
        form = BillRunForm(initial={"month": f"{last_month:%Y-%m}"})
        recent = BillRun.objects.select_related("triggered_by")[:10]
        return self.render_to_response(self.get_context_data(form=form, recent=recent))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = BillRunForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        report = bill_run(month=form.cleaned_data["month"], user=self.user)
        messages.success(request, RUN_DONE.format(**report))
        return HttpResponseRedirect(reverse("admin:billing_billrun_change", args=[report["run"]]))
