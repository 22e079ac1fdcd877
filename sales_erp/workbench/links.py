"""The kinds of business object a no-code form can point at: a process type "starts from" one, and a
link field (关联客户/产品/账号) picks one. Each kind knows its model, its Chinese name, how it is searched
and how the customer visibility rule (DESIGN §1) reaches it, so a salesperson is only ever offered
objects of their own customers and the public pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q, QuerySet

from sales_erp.customers.selectors import customer_visibility_q

CUSTOMER = "customer"
PRODUCT = "product"
ACCOUNT = "account"
BILL = "bill"


@dataclass(frozen=True)
class ObjectKind:
    label: str  # the manual's word, as the pages show it
    model: str  # "app_label.Model"
    visibility_prefix: str  # the path from the model to its customer, for customer_visibility_q
    search: tuple[str, ...]  # lookups the chooser's search box filters on

    def model_class(self) -> type[models.Model] | None:
        """None while the app that owns the model is not installed yet (账单 comes with billing)."""
        try:
            return apps.get_model(self.model)
        except LookupError:
            return None


OBJECT_KINDS: dict[str, ObjectKind] = {
    CUSTOMER: ObjectKind("客户", "customers.Customer", "", ("name__icontains",)),
    PRODUCT: ObjectKind(
        "产品", "customers.Product", "customer__", ("name__icontains", "code__icontains", "customer__name__icontains")
    ),
    ACCOUNT: ObjectKind(
        "账号", "customers.Account", "product__customer__", ("code__icontains", "product__customer__name__icontains")
    ),
    BILL: ObjectKind("账单", "billing.Bill", "customer__", ("customer__name__icontains",)),
}


def kind_of_model(label: str | None) -> str | None:
    """The kind whose model is `label` ("customers.Customer", any case), or None."""
    if not label:
        return None
    for code, kind in OBJECT_KINDS.items():
        if kind.model.lower() == label.lower():
            return code
    return None


def objects_visible_to(user: Any, kind: str) -> QuerySet[Any]:
    """The objects of `kind` that `user` may see (nothing when the kind's model is not installed)."""
    spec = OBJECT_KINDS[kind]
    model = spec.model_class()
    if model is None:
        raise LookupError(spec.model)
    rows = model._default_manager.all()
    q = customer_visibility_q(user, prefix=spec.visibility_prefix)
    return rows if q is None else rows.filter(q)


def objects_search(user: Any, kind: str, text: str, *, limit: int = 50) -> list[Any]:
    """What the start page offers to choose from: visible objects matching `text`, at most `limit`."""
    rows = objects_visible_to(user, kind)
    text = text.strip()
    if text and OBJECT_KINDS[kind].search:
        match = Q()
        for lookup in OBJECT_KINDS[kind].search:
            match |= Q(**{lookup: text})
        rows = rows.filter(match)
    return list(rows.order_by("-pk")[:limit])
