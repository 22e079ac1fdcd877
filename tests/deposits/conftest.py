"""Users, customers and helpers of the deposit tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sales_erp import hooks
from sales_erp.customers.models import Customer, InvoiceTitle
from sales_erp.deposits.models import Deposit, ImportProfile
from sales_erp.deposits.services import DepositImportResult, deposits_import
from sales_erp.org.models import User
from sales_erp.org.roles import Role
from tests.factories import CustomerFactory, UserFactory

DATA = Path(__file__).parent / "data"
GBK_SAMPLE = DATA / "bank_statement_gbk.csv"
BOM_SAMPLE = DATA / "bank_statement_utf8bom.csv"
GBK_PROFILE = "debit-credit-columns-gbk"
BOM_PROFILE = "direction-flag-utf8"
IMPORT_URL = "/desk/deposits/import/"
POOL_URL = "/desk/deposits/pool/"

# What the DEPOSIT_MATCHED probe saw: (deposit id, status, customer id) per call, in order.
MATCH_CALLS: list[tuple[int, str, int | None]] = []


def probe_matched(*, deposit: Deposit) -> None:
    """A DEPOSIT_MATCHED function for the tests (the write-off helper registers the real one)."""
    MATCH_CALLS.append((deposit.pk, deposit.status, deposit.customer_id))


def probe_refuses(*, deposit: Deposit) -> None:
    raise RuntimeError(f"refused {deposit.payer}")


@pytest.fixture
def match_probe(monkeypatch) -> list[tuple[int, str, int | None]]:
    MATCH_CALLS.clear()
    monkeypatch.setattr(hooks, "DEPOSIT_MATCHED", ["tests.deposits.conftest.probe_matched"])
    return MATCH_CALLS


@pytest.fixture
def finance(db) -> User:
    return UserFactory.create(username="finance1", roles=[Role.FINANCE])


@pytest.fixture
def sales_admin(db) -> User:
    return UserFactory.create(username="xiaoguan1", roles=[Role.SALES_ADMIN])


@pytest.fixture
def s1(db) -> User:
    return UserFactory.create(username="s1", roles=[Role.SALES])


@pytest.fixture
def s2(db) -> User:
    return UserFactory.create(username="s2", roles=[Role.SALES])


def profile(code: str) -> ImportProfile:
    return ImportProfile.objects.get(code=code)


def customer_with_titles(name: str, *titles: str, owner: User | None = None) -> Customer:
    customer = CustomerFactory.create(name=name, **({"owner": owner} if owner else {}))
    for title in titles:
        InvoiceTitle.objects.create(customer=customer, company_name=title)
    return customer


def import_file(path: Path, code: str, user: User | None = None) -> DepositImportResult:
    return deposits_import(data=path.read_bytes(), name=path.name, profile=profile(code), user=user)


def import_bytes(data: bytes, code: str = GBK_PROFILE, name: str = "statement.csv") -> DepositImportResult:
    return deposits_import(data=data, name=name, profile=profile(code), user=None)


def upload(client, data: bytes, code: str, name: str = "statement.csv"):
    return client.post(IMPORT_URL, {"profile": profile(code).pk, "file": SimpleUploadedFile(name, data)})


def deposit_make(payer: str, amount: str = "100.00", day: date = date(2026, 11, 10), **fields) -> Deposit:
    return Deposit.objects.create(
        received_on=day, payer=payer, amount=Decimal(amount), available=Decimal(amount), **fields
    )


def stored() -> list[tuple]:
    return list(
        Deposit.objects.order_by("received_on", "received_time", "pk").values_list(
            "received_on", "payer", "amount", "status", "serial"
        )
    )
