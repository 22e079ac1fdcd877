"""Desk pages of deposits: 银行流水导入 and its result, 到款池 (the deposit pool), one deposit's page with
销管's 指定客户."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse

from sales_erp.customers.models import Customer
from sales_erp.deposits.forms import DepositAssignForm, DepositImportForm, PoolFilterForm
from sales_erp.deposits.models import Deposit, DepositImport, DepositStatus
from sales_erp.deposits.selectors import deposit_pool, deposits_visible_to, may_assign_deposits, payer_candidates
from sales_erp.deposits.services import DepositImportRejected, DepositRefused, deposit_assign, deposits_import
from sales_erp.desk.views import DeskView

POOL_PAGE_SIZE = 50
ASSIGNED = "已将 {payer} 的到款 {amount} 元指定给 {customer}；该付款方以后的到款将自动匹配"


class DepositImportView(DeskView):
    title = "银行流水导入"
    template_name = "deposits/import.html"

    def allowed(self, request: HttpRequest) -> bool:
        return request.user.has_perm("deposits.import_deposits")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", DepositImportForm())
        context["recent"] = DepositImport.objects.select_related("profile", "imported_by")[:10]
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = DepositImportForm(request.POST, request.FILES)
        context: dict[str, Any] = {"form": form}
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = deposits_import(
                    data=upload.read(), name=upload.name or "", profile=form.cleaned_data["profile"], user=self.user
                )
            except DepositImportRejected as exc:
                context["errors"] = exc.errors
            else:
                return HttpResponseRedirect(reverse("deposits:import_detail", args=[result.record.pk]))
        return self.render_to_response(self.get_context_data(**context))


class DepositImportDetailView(DeskView):
    """The result of one import: its counts and every deposit it added, with how each was matched."""

    title = "银行流水导入结果"
    template_name = "deposits/import_detail.html"

    def allowed(self, request: HttpRequest) -> bool:
        return request.user.has_perm("deposits.view_depositimport")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        record = get_object_or_404(DepositImport.objects.select_related("profile", "imported_by"), pk=kwargs["pk"])
        earlier = (
            DepositImport.objects.filter(digest=record.digest, imported_at__lte=record.imported_at)
            .exclude(pk=record.pk)
            .order_by("-imported_at")
            .first()
        )
        deposits = record.deposits.select_related("customer", "salesperson").order_by(
            "received_on", "received_time", "pk"
        )
        context.update(record=record, deposits=deposits, same_file_before=earlier)
        return context


class DepositPoolView(DeskView):
    """到款池: search by payer, amount, dates and status; a salesperson's own customers' deposits first."""

    title = "到款池"
    template_name = "deposits/pool.html"

    def allowed(self, request: HttpRequest) -> bool:
        return request.user.has_perm("deposits.view_deposit")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = PoolFilterForm(self.request.GET)
        form.is_valid()
        deposits = deposit_pool(user=self.user, filters=form.filters())
        page = Paginator(deposits, POOL_PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            form=form,
            page=page,
            query=query.urlencode(),
            may_assign=may_assign_deposits(self.user),
            unmatched=DepositStatus.UNMATCHED,
        )
        return context


class DepositDetailView(DeskView):
    """One deposit: where it came from, whose it is and why; 销管 assigns a pool deposit here."""

    title = "到款"
    template_name = "deposits/detail.html"

    def allowed(self, request: HttpRequest) -> bool:
        return request.user.has_perm("deposits.view_deposit")

    def deposit(self) -> Deposit:
        found = deposits_visible_to(self.user).select_related("customer", "salesperson", "matched_by", "import_record")
        return get_object_or_404(found, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        deposit = self.deposit()
        may_assign = may_assign_deposits(self.user) and deposit.status == DepositStatus.UNMATCHED
        candidates: list[Customer] = []
        if may_assign and deposit.payer_key:
            found = payer_candidates(keys=[deposit.payer_key]).get(deposit.payer_key)
            if found:
                ids = found.by_name | found.by_title | ({found.by_alias} if found.by_alias else set())
                candidates = list(Customer.objects.filter(pk__in=ids).select_related("owner").order_by("name"))
        context.setdefault("form", DepositAssignForm())
        context.update(deposit=deposit, may_assign=may_assign, candidates=candidates, title=f"到款 {deposit.payer}")
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_assign_deposits(self.user):
            raise Http404
        deposit = self.deposit()
        form = DepositAssignForm(request.POST)
        if form.is_valid():
            customer = form.cleaned_data["customer"]
            try:
                deposit_assign(deposit=deposit, customer=customer, user=self.user)
            except DepositRefused as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, ASSIGNED.format(payer=deposit.payer, amount=f"{deposit.amount:,.2f}", customer=customer)
                )
                return HttpResponseRedirect(reverse("deposits:detail", args=[deposit.pk]))
        return self.render_to_response(self.get_context_data(form=form), status=400)
