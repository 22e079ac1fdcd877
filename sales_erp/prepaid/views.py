"""Desk pages of prepaid balances (财务 → 预付余额): the balance list with 欠费 flagged, and one account's
ledger. Both show only accounts of customers the user may see; any other account is a 404."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse

from sales_erp.desk.views import DeskView
from sales_erp.prepaid.models import BalanceEntry
from sales_erp.prepaid.selectors import account_balance, accounts_visible_to, balances_list


class PrepaidDeskView(DeskView):
    def allowed(self, request: HttpRequest) -> bool:
        return request.user.has_perm("prepaid.view_balanceentry")


class BalanceListView(PrepaidDeskView):
    title = "预付余额"
    template_name = "prepaid/balances.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()
        arrears_only = self.request.GET.get("arrears") == "1"
        rows = balances_list(user=self.user, query=query, arrears_only=arrears_only)
        context.update(rows=rows, query=query, arrears_only=arrears_only, arrears_count=sum(r.in_arrears for r in rows))
        return context


class AccountBalanceView(PrepaidDeskView):
    template_name = "prepaid/account_balance.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        account = accounts_visible_to(self.user).filter(pk=kwargs["pk"]).first()
        if account is None:
            raise Http404
        balance = account_balance(account=account)
        entries = list(BalanceEntry.objects.filter(account=account).select_related("recharge__process"))
        running, rows = Decimal("0.00"), []
        for entry in entries:
            running += entry.amount
            rows.append({"entry": entry, "after": running})
        context = super().get_context_data(**kwargs)
        context.update(
            title=f"{account.code} 预付余额",
            account=account,
            balance=balance,
            in_arrears=balance < 0,
            rows=rows,
            recharge_url=reverse("workflow:start", args=["recharge"]) + f"?target={account.pk}",
        )
        return context
