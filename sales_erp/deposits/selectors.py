"""Reads on deposits: who may see which (DESIGN §1), the deposit pool's search, and the customers a payer
name points at (DESIGN §5.4 matching), looked up for many names at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from sales_erp.customers.models import Customer, InvoiceTitle
from sales_erp.customers.selectors import owner_ids_of
from sales_erp.deposits.models import Deposit, DepositStatus, PayerAlias
from sales_erp.org.models import User
from sales_erp.org.roles import Role

REASON_NAME = "客户名称一致"
REASON_TITLE = "发票抬头一致"
REASON_ALIAS = "付款方别名（销管指定）"
LOOKUP_CHUNK = 500  # names per IN (…) list: far below SQLite's and MariaDB's limits


def deposit_visibility_q(user: User) -> Q | None:
    """What `user` may see of deposits; None means everything.

    Finance, 销管 and the other see-all roles see every deposit. A salesperson (a leader: with the team
    below) sees the pool — every unmatched deposit, so they can spot their customer's money — and the
    deposits of their own customers; another salesperson's customers' deposits are hidden.
    """
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.sees_all_customers:
        return None
    owners = owner_ids_of(user)
    if not owners:
        return Q(pk__in=[])
    return Q(status=DepositStatus.UNMATCHED) | Q(customer__owner_id__in=owners) | Q(salesperson_id__in=owners)


def deposits_visible_to(user: User) -> QuerySet[Deposit]:
    q = deposit_visibility_q(user)
    deposits = Deposit.objects.all()
    return deposits if q is None else deposits.filter(q)


def may_assign_deposits(user: User) -> bool:
    return bool(user.has_perm("deposits.assign_deposit"))


@dataclass(frozen=True)
class PoolFilters:
    payer: str = ""
    amount: Decimal | None = None
    date_from: date | None = None
    date_to: date | None = None
    status: str = ""  # "" for both


def deposit_pool(*, user: User, filters: PoolFilters) -> QuerySet[Deposit]:
    """The deposit pool (到款池) as `user` sees it, newest first; for a salesperson their own customers'
    deposits come first (the manual's complaint: too many deposits to find one's own)."""
    deposits = deposits_visible_to(user).select_related("customer", "salesperson", "import_record")
    if filters.payer:
        deposits = deposits.filter(payer__icontains=filters.payer.strip())
    if filters.amount is not None:
        deposits = deposits.filter(amount=filters.amount)
    if filters.date_from:
        deposits = deposits.filter(received_on__gte=filters.date_from)
    if filters.date_to:
        deposits = deposits.filter(received_on__lte=filters.date_to)
    if filters.status:
        deposits = deposits.filter(status=filters.status)
    order = ["-received_on", "-received_time", "-pk"]
    owners = owner_ids_of(user) if user.has_role(Role.SALES, Role.SALES_LEADER) else set()
    if owners:
        mine = Q(customer__owner_id__in=owners) | Q(salesperson_id__in=owners)
        deposits = deposits.annotate(
            mine=Case(When(mine, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        order = ["mine", *order]
    return deposits.order_by(*order)


@dataclass
class PayerCandidates:
    """The customers one normalised payer name points at, and why."""

    by_name: set[int] = field(default_factory=set)
    by_title: set[int] = field(default_factory=set)
    by_alias: int | None = None

    def decision(self) -> tuple[int, str] | None:
        """(customer id, reason) when exactly one customer fits, else None (the deposit stays in the pool).

        An alias is 销管's own decision about this very payer name: it settles a name that fits several
        customers when it names one of them (the reason it was recorded, W06). An alias naming a customer
        other than the one the name or invoice title fits is conflicting evidence: the pool, for a person.
        """
        found = self.by_name | self.by_title
        if self.by_alias is not None:
            if not found or self.by_alias in found:
                return self.by_alias, REASON_ALIAS
            return None
        if len(found) != 1:
            return None
        (customer_id,) = found
        return customer_id, REASON_NAME if customer_id in self.by_name else REASON_TITLE


def payer_candidates(*, keys: Iterable[str]) -> dict[str, PayerCandidates]:
    """For each normalised payer name: the customers whose name, invoice title or alias it is.

    One query per chunk of names (a UNION of the three lookups), whatever the number of deposits.
    """
    wanted = sorted({key for key in keys if key})
    found: dict[str, PayerCandidates] = defaultdict(PayerCandidates)
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start : start + LOOKUP_CHUNK]
        names = Customer.objects.filter(name_key__in=chunk).values_list("name_key", "pk", Value(1)).order_by()
        titles = InvoiceTitle.objects.filter(name_key__in=chunk).values_list("name_key", "customer_id", Value(2))
        titles = titles.order_by()
        aliases = PayerAlias.objects.filter(payer_key__in=chunk).values_list("payer_key", "customer_id", Value(3))
        aliases = aliases.order_by()
        for key, customer_id, kind in names.union(titles, aliases, all=True):
            candidates = found[key]
            if kind == 1:
                candidates.by_name.add(customer_id)
            elif kind == 2:
                candidates.by_title.add(customer_id)
            else:
                candidates.by_alias = customer_id
    return dict(found)
