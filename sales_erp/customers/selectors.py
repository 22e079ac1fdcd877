"""Reads on customers. Visibility (DESIGN §1) lives here and every path that lists customers uses it:
a salesperson sees their own customers and the public pool; a leader also sees their subordinates';
finance, operations and admins see all; nobody else sees any.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from sales_erp.customers.models import Customer, Tier
from sales_erp.org.models import User
from sales_erp.org.roles import Role


def customer_visibility_q(user: User, *, prefix: str = "") -> Q | None:
    """A filter on `<prefix>owner`/`<prefix>tier` for what `user` may see; None means everything.

    `prefix` lets other models filter through their customer, e.g. prefix="product__customer__".
    """
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.sees_all_customers:
        return None
    owners: set[int] = set()
    if user.has_role(Role.SALES, Role.SALES_LEADER):
        owners.add(user.pk)
    if user.has_role(Role.SALES_LEADER):
        owners |= user.subordinate_ids()
    if not owners:
        return Q(pk__in=[])
    return Q(**{f"{prefix}owner_id__in": owners}) | Q(**{f"{prefix}tier": Tier.POOL})


def customers_visible_to(user: User) -> QuerySet[Customer]:
    q = customer_visibility_q(user)
    customers = Customer.objects.all()
    return customers if q is None else customers.filter(q)
