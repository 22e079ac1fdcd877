"""Desk pages of the customers app that are not plain lists or forms: the customer page, the public
pool, the early-warning list, customer search and the 检测 endpoint. Each checks visibility itself and
answers 404 for anything the user may not see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.module_loading import import_string

from sales_erp import hooks
from sales_erp.customers.funnel import FunnelDrop, funnel_drops_ahead
from sales_erp.customers.models import (
    Contact,
    ContactLog,
    Contract,
    Customer,
    CustomerDepartment,
    Product,
    Tier,
)
from sales_erp.customers.selectors import (
    customer_completeness,
    customer_name_check,
    customer_page_url,
    customer_search,
    customers_editable_by,
    customers_visible_to,
    funnel_settings,
    owner_ids_of,
    pool_customers,
)
from sales_erp.desk.views import DeskView
from sales_erp.org.models import User

RECENT_LOGS = 20


def user_of(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class CustomerDeskView(DeskView):
    def allowed(self, request: HttpRequest) -> bool:
        return request.user.has_perm("customers.view_customer")


class CustomerPageView(CustomerDeskView):
    """Everything about one customer at a glance: tier and its history, owner, contacts, logs, products
    and accounts, contracts — and the panels other apps add (open processes, bills, balances)."""

    template_name = "customers/customer_page.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = user_of(self.request)
        customer = (
            customers_visible_to(user)
            .select_related("owner__superior", "claimed_by", "created_by")
            .filter(pk=kwargs["pk"])
            .first()
        )
        if customer is None:
            raise Http404
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        completeness, missing = customer_completeness(customer)
        drops = funnel_drops_ahead(
            customers=Customer.objects.filter(pk=customer.pk), day=today, days=funnel_settings().warning_days
        )
        can_edit = customers_editable_by(user).filter(pk=customer.pk).exists()
        panels = []
        for path in hooks.CUSTOMER_PAGE_PANELS:
            panel = import_string(path)(customer=customer, user=user)
            if panel is not None:
                panels.append(panel)
        context.update(
            title=customer.name,
            customer=customer,
            today=today,
            can_edit=can_edit,
            completeness=completeness,
            completeness_missing=missing,
            drop=drops.get(customer.pk),
            invoice_titles=customer.invoice_titles.all(),
            departments=CustomerDepartment.objects.filter(customer=customer).prefetch_related("contacts"),
            loose_contacts=Contact.objects.filter(customer=customer, department__isnull=True),
            logs=ContactLog.objects.filter(customer=customer).select_related("author")[:RECENT_LOGS],
            log_count=ContactLog.objects.filter(customer=customer).count(),
            last_log=ContactLog.objects.filter(customer=customer).aggregate(last=Max("date"))["last"],
            products=Product.objects.filter(customer=customer).prefetch_related("accounts").order_by("name"),
            contracts=Contract.objects.filter(customer=customer),
            tier_changes=customer.tier_changes.select_related("salesperson", "changed_by"),
            panels=panels,
            urls={
                "change": reverse("admin:customers_customer_change", args=[customer.pk]),
                "history": reverse("admin:customers_customer_history", args=[customer.pk]),
                "add_log": reverse("admin:customers_contactlog_add") + f"?customer={customer.pk}",
                "all_logs": reverse("admin:customers_contactlog_changelist") + f"?customer__id__exact={customer.pk}",
                "add_product": reverse("admin:customers_product_add") + f"?customer={customer.pk}",
                "add_department": reverse("admin:customers_customerdepartment_add") + f"?customer={customer.pk}",
                "add_contact": reverse("admin:customers_contact_add") + f"?customer={customer.pk}",
            },
        )
        return context


class NameCheckView(CustomerDeskView):
    """The 检测 button: is the normalised company name taken? Details only of a customer the asker sees."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        exclude = request.GET.get("exclude", "")
        check = customer_name_check(
            name=request.GET.get("name", ""),
            user=user_of(request),
            exclude_pk=int(exclude) if exclude.isdigit() else None,
        )
        answer: dict[str, Any] = {"status": check.status, "message": check.message}
        if check.customer is not None:
            answer["url"] = customer_page_url(check.customer)
        return JsonResponse(answer, json_dumps_params={"ensure_ascii": False})


class CustomerLocateView(CustomerDeskView):
    """Customer search (V19 #3): straight to the first visible match; the list when nothing matches."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        query = request.GET.get("q", "").strip()
        first = customer_search(user=user_of(request), query=query).first() if query else None
        if first is not None:
            return HttpResponseRedirect(customer_page_url(first))
        listing = reverse("admin:customers_customer_changelist")
        return HttpResponseRedirect(f"{listing}?{urlencode({'q': query, 'all': '1'})}" if query else listing)


class PoolView(CustomerDeskView):
    """The public pool (公共池): customers nobody owns, visible to every salesperson."""

    template_name = "customers/pool.html"
    title = "公共池"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()
        customers = pool_customers().annotate(last_log=Max("contact_logs__date"))
        if query:
            matching = customer_search(user=user_of(self.request), query=query).values("pk")
            customers = customers.filter(pk__in=matching)
        page = Paginator(customers.order_by("-tier_since", "name"), 50).get_page(self.request.GET.get("page"))
        user = user_of(self.request)
        context.update(
            page=page,
            query=query,
            may_apply=bool(owner_ids_of(user)) and "apply_customer" in hooks.PROCESSES,
        )
        return context


class WarningsView(CustomerDeskView):
    """预警名单: customers that drop a tier within the warning days if nothing new is logged."""

    template_name = "customers/warnings.html"
    title = "预警名单"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = user_of(self.request)
        context.update(warning_rows(user=user, owner_id=self.request.GET.get("owner")))
        return context


@dataclass(frozen=True)
class WarningRow:
    customer: Customer
    drop: FunnelDrop
    days_left: int


def warning_rows(*, user: User, owner_id: str | None = None) -> dict[str, Any]:
    """The rows of the early-warning list for `user`: their own customers (a leader's team's too; every
    customer for see-all roles), optionally narrowed to one owner."""
    today = timezone.localdate()
    days = funnel_settings().warning_days
    customers = customers_visible_to(user).exclude(tier=Tier.POOL)
    owners = None
    if user.sees_all_customers or len(owner_ids_of(user)) > 1:
        owners = User.objects.filter(pk__in=customers.values("owner_id")).order_by("username")
    if owner_id and owner_id.isdigit():
        customers = customers.filter(owner_id=int(owner_id))
    drops = funnel_drops_ahead(customers=customers, day=today, days=days)
    found = (
        Customer.objects.filter(pk__in=list(drops)).select_related("owner").annotate(last_log=Max("contact_logs__date"))
    )
    rows = [WarningRow(customer, drops[customer.pk], (drops[customer.pk].on - today).days) for customer in found]
    rows.sort(key=lambda row: (row.drop.on, row.customer.name))
    return {"rows": rows, "days": days, "today": today, "owners": owners, "owner_id": owner_id or ""}


def warning_card(request: HttpRequest) -> dict[str, Any] | None:
    """Dashboard card: this salesperson's customers about to drop a tier."""
    user = request.user
    if not isinstance(user, User) or not owner_ids_of(user):
        return None
    rows = warning_rows(user=user, owner_id=str(user.pk))
    return {
        "title": f"{rows['days']} 日内将降级的客户",
        "template": "customers/warning_card.html",
        "rows": rows["rows"][:8],
        "count": len(rows["rows"]),
        "url": reverse("customers:warnings"),
    }
