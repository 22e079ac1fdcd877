"""Reads for the portal. Strict scoping: every query starts from the portal user's own company."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum

from sales_erp.billing.models import Bill, BillLine, BillStatus
from sales_erp.customers.models import Customer
from sales_erp.org.models import User
from sales_erp.portal.models import PortalAccount
from sales_erp.pricing.money import to_cents


def portal_customer_of(user: Any) -> Customer | None:
    """The company a portal login belongs to; None for anyone else (staff, inactive, no portal account)."""
    if not (user.is_authenticated and user.is_active) or user.is_staff or user.is_superuser:
        return None
    account = PortalAccount.objects.select_related("customer").filter(user=user).first()
    return account.customer if account else None


def portal_bills(*, customer: Customer) -> QuerySet[Bill]:
    return Bill.objects.filter(customer=customer).select_related("product").order_by("-period", "name")


def portal_bill(*, customer: Customer, pk: int) -> Bill | None:
    """One of the company's bills with its lines; None (the page answers 404) for anyone else's."""
    lines = Prefetch("lines", queryset=BillLine.objects.select_related("account").order_by("account__code", "pk"))
    return portal_bills(customer=customer).prefetch_related(lines).filter(pk=pk).first()


def portal_bills_summary(*, customer: Customer) -> dict[str, Any]:
    bills = Bill.objects.filter(customer=customer)
    totals = bills.aggregate(n=Count("pk"), amount=Sum("amount"), written_off=Sum("written_off_amount"))
    unreconciled = bills.filter(status=BillStatus.ISSUED).aggregate(n=Count("pk"), amount=Sum("amount"))
    # SQLite's SUM loses the decimal places: amounts are shown to the cent again.
    return {
        "count": totals["n"],
        "open_amount": to_cents(Decimal(totals["amount"] or 0) - Decimal(totals["written_off"] or 0)),
        "unreconciled_count": unreconciled["n"],
        "unreconciled_amount": to_cents(Decimal(unreconciled["amount"] or 0)),
    }


def portal_accounts_of(*, customer: Customer) -> QuerySet[PortalAccount]:
    return PortalAccount.objects.filter(customer=customer).select_related("user", "created_by")


def is_portal_user(user: User) -> bool:
    return portal_customer_of(user) is not None
