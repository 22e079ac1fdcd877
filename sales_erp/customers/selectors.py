"""Reads on customers. Visibility (DESIGN §1) lives here and every path that lists customers uses it:
a salesperson sees their own customers and the public pool; a leader also sees their subordinates';
finance, operations and admins see all; nobody else sees any.

A pool customer that a salesperson has applied for (claimed_by set, 申请客户 running) has left the pool:
only the applicant (and their leaders) see it until the process ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Exists, Expression, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.urls import reverse

from sales_erp.customers.models import (
    Account,
    AccountRequest,
    ChannelRegistration,
    Contact,
    Customer,
    FunnelSettings,
    Tier,
)
from sales_erp.customers.names import company_name_key
from sales_erp.org.models import User
from sales_erp.org.roles import Role


def owner_ids_of(user: User) -> set[int]:
    """The salespeople whose customers `user` works on: themselves, and a leader's whole team below."""
    owners: set[int] = set()
    if user.has_role(Role.SALES, Role.SALES_LEADER):
        owners.add(user.pk)
    if user.has_role(Role.SALES_LEADER):
        owners |= user.subordinate_ids()
    return owners


def customer_visibility_q(user: User, *, prefix: str = "", pool_only: Any = None) -> Q | None:
    """A filter on `<prefix>owner`/`<prefix>tier` for what `user` may see; None means everything.

    `prefix` lets other models filter through their customer, e.g. prefix="product__customer__".
    `pool_only` narrows the public-pool part with a condition every visible row meets anyway, so the
    database need not look at every pool customer: bills_visible_to's "the customer has a product".
    """
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.sees_all_customers:
        return None
    owners = owner_ids_of(user)
    if not owners:
        return Q(pk__in=[])
    pool = Q(**{f"{prefix}tier": Tier.POOL, f"{prefix}claimed_by__isnull": True}) | Q(
        **{f"{prefix}tier": Tier.POOL, f"{prefix}claimed_by_id__in": owners}
    )
    return Q(**{f"{prefix}owner_id__in": owners}) | (pool if pool_only is None else pool & pool_only)


def customers_visible_to(user: User) -> QuerySet[Customer]:
    q = customer_visibility_q(user)
    customers = Customer.objects.all()
    return customers if q is None else customers.filter(q)


def customer_edit_q(user: User, *, prefix: str = "") -> Q | None:
    """Whose data `user` may change (add logs, products, contacts …): a salesperson their own and their
    team's customers, never a pool customer (apply for it first); see-all roles any. None = all."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.sees_all_customers:
        return None
    owners = owner_ids_of(user)
    return Q(**{f"{prefix}owner_id__in": owners}) if owners else Q(pk__in=[])


def customers_editable_by(user: User) -> QuerySet[Customer]:
    q = customer_edit_q(user)
    customers = Customer.objects.all()
    return customers if q is None else customers.filter(q)


def visible_through_customer(user: User, queryset: QuerySet, *, prefix: str) -> QuerySet:
    """Any queryset of things that belong to a customer, narrowed to the customers `user` may see."""
    q = customer_visibility_q(user, prefix=prefix)
    return queryset if q is None else queryset.filter(q)


def pool_customers() -> QuerySet[Customer]:
    """The public pool as every salesperson sees it: pool customers nobody has applied for."""
    return Customer.objects.filter(tier=Tier.POOL, claimed_by__isnull=True)


def pool_customer_taken(*, user: User, customer: Customer) -> tuple[str, str] | None:
    """Why a salesperson no longer sees a pool customer they may have seen a moment ago — a colleague
    outside their team applied for it — and where to go instead (the pool); None for any other hidden one.

    The start page of a process says so instead of answering 404 (two salespeople applying one after the other).
    """
    from sales_erp.customers.services import POOL_CLAIMED

    owners = owner_ids_of(user)
    if customer.tier != Tier.POOL or customer.claimed_by_id is None or not owners or customer.claimed_by_id in owners:
        return None
    return POOL_CLAIMED.format(holder=customer.claimed_by), reverse("customers:pool")


@dataclass(frozen=True)
class NameCheck:
    """The answer of the 检测 button: is this company already in the system, and may the asker see it?"""

    status: str  # "free", "visible" (the asker may open it), "pool", "other" (someone else's)
    message: str
    customer: Customer | None = None  # only when the asker may see it

    @property
    def taken(self) -> bool:
        return self.status != "free"


NAME_FREE = "未找到同名客户，可以添加"
NAME_TAKEN_VISIBLE = "客户“{name}”已存在（{tier}，归属 {owner}），不能重复添加"
NAME_TAKEN_POOL = "客户“{name}”已在公共池中，请到公共池申请该客户"
NAME_TAKEN_OTHER = "该公司已存在，属于其他销售，不能重复添加"
NAME_EMPTY = "请填写公司名称"


def customer_name_check(*, name: str, user: User, exclude_pk: int | None = None) -> NameCheck:
    """Compare the normalised name (DESIGN §2) with every customer, revealing details only of visible ones."""
    key = company_name_key(name)
    if not key:
        return NameCheck("free", NAME_EMPTY)
    same = Customer.objects.filter(name_key=key).select_related("owner")
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    existing = same.first()
    if existing is None:
        return NameCheck("free", NAME_FREE)
    if not customers_visible_to(user).filter(pk=existing.pk).exists():
        return NameCheck("other", NAME_TAKEN_OTHER)
    if existing.tier == Tier.POOL:
        return NameCheck("pool", NAME_TAKEN_POOL.format(name=existing.name), existing)
    owner = existing.owner or "无"
    message = NAME_TAKEN_VISIBLE.format(name=existing.name, tier=existing.get_tier_display(), owner=owner)
    return NameCheck("visible", message, existing)


def customer_search(*, user: User, query: str) -> QuerySet[Customer]:
    """Customers matching `query` by name (normalised) or tax ID, best match first: the exact name,
    then names starting with it, then names containing it; ties by name."""
    key = company_name_key(query)
    if not key:
        return Customer.objects.none()
    rank = Case(
        When(name_key=key, then=Value(0)),
        When(name_key__startswith=key, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    matches = Q(name_key__contains=key) | Q(tax_id=query.strip().upper())
    return customers_visible_to(user).filter(matches).annotate(rank=rank).order_by("rank", "name", "pk")


def funnel_settings() -> FunnelSettings:
    settings, _ = FunnelSettings.objects.get_or_create(pk=1)
    return settings


# Info completeness (DESIGN §6 upgrade 2), four items of 25 % each, over the customer and all its contacts:
#   手机 the customer's mobile or a contact's 号码1/号码2; 联系人 the business contact or a contact's name;
#   职务 a contact's title; 其他联系方式 the customer's phone or email, or a contact's landline, QQ, WeChat or email.
COMPLETENESS_ITEMS = ("手机", "联系人", "职务", "其他联系方式")


def _filled(field: str) -> Q:
    return ~Q(**{field: ""})


def completeness_items() -> dict[str, Q]:
    contacts = Contact.objects.filter(customer=OuterRef("pk"))
    return {
        "手机": _filled("mobile") | Q(Exists(contacts.filter(_filled("mobile1") | _filled("mobile2")))),
        "联系人": _filled("business_contact") | Q(Exists(contacts.filter(_filled("name")))),
        "职务": Q(Exists(contacts.filter(_filled("title")))),
        "其他联系方式": _filled("phone")
        | _filled("email")
        | Q(Exists(contacts.filter(_filled("landline") | _filled("qq") | _filled("wechat") | _filled("email")))),
    }


def completeness_expression() -> Expression:
    """The completeness of a customer (0, 25, 50, 75 or 100) in SQL, so the funnel filters on it set-based."""
    return sum(
        (
            Case(When(q, then=Value(25)), default=Value(0), output_field=IntegerField())
            for q in completeness_items().values()
        ),
        start=Value(0, output_field=IntegerField()),
    )


def customer_completeness(customer: Customer) -> tuple[int, list[str]]:
    """The customer page's view of completeness: the percentage and the items still missing."""
    items = completeness_items()
    flags = (
        Customer.objects.filter(pk=customer.pk)
        .annotate(**{f"item{i}": Case(When(q, then=Value(1)), default=Value(0)) for i, q in enumerate(items.values())})
        .values(*[f"item{i}" for i in range(len(items))])
        .get()
    )
    missing = [label for i, label in enumerate(items) if not flags[f"item{i}"]]
    return 25 * (len(items) - len(missing)), missing


def accounts_visible_to(user: User) -> QuerySet[Account]:
    return visible_through_customer(user, Account.objects.all(), prefix="product__customer__")


def customer_page_url(customer: Customer | int) -> str:
    pk = customer if isinstance(customer, int) else customer.pk
    return reverse("customers:page", args=[pk])


def customer_account_records_panel(*, customer: Customer, user: User) -> dict[str, Any] | None:
    """The customer page's 账号报备与申请 panel (hooks.CUSTOMER_PAGE_PANELS): the channel registrations and
    approved special requests on its accounts, and links that start 销售调价/账期更改 from a product and
    通道报备/客服特殊申请 from an account. The page has checked that `user` sees the customer."""
    products = list(customer.products.prefetch_related("accounts").order_by("name"))
    if not products:
        return None
    start = reverse("workflow:start", args=["_code_"])
    return {
        "title": "账号报备与申请",
        "template": "customers/account_records_panel.html",
        "products": products,
        "registrations": list(
            ChannelRegistration.objects.filter(account__product__customer=customer).select_related("account", "process")
        ),
        "requests": list(
            AccountRequest.objects.filter(account__product__customer=customer).select_related("account", "process")
        ),
        "start": {code: start.replace("_code_", code) for code in PANEL_PROCESSES},
    }


PANEL_PROCESSES = ("price_change", "payment_term", "channel_report", "special_request")
