"""factory_boy factories shared by every test package."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from sales_erp.customers.models import (
    Account,
    BillType,
    Contact,
    ContactForm,
    ContactLog,
    Contract,
    ContractStatus,
    Customer,
    Product,
    ProductKind,
    Settlement,
    Tier,
)
from sales_erp.org.models import Department, User
from sales_erp.org.roles import Role
from sales_erp.pricing import price_models
from sales_erp.pricing.countries import COUNTRIES
from sales_erp.pricing.intl_table import CountryPriceRow
from sales_erp.pricing.models import PriceSchedule, PriceType
from sales_erp.pricing.services import price_schedule_activate, price_schedule_create


class DepartmentFactory(factory.django.DjangoModelFactory[Department]):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"销售{n}部")


class UserFactory(factory.django.DjangoModelFactory[User]):
    """A staff user; `roles=["sales"]` puts them in those role groups."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "测"
    first_name = factory.Sequence(lambda n: f"试{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    department = factory.SubFactory(DepartmentFactory)
    is_staff = True
    password = factory.django.Password("pw")

    @factory.post_generation
    def roles(obj: User, create, extracted, **kwargs):
        if create and extracted:
            obj.groups.set(Group.objects.filter(name__in=extracted))
            obj.__dict__.pop("_role_codes", None)


def sales_team() -> dict[str, User]:
    """A leader with two salespeople, and a director above the leader."""
    director = UserFactory.create(username="t_director", roles=[Role.SALES_DIRECTOR])
    leader = UserFactory.create(username="t_leader", roles=[Role.SALES_LEADER], superior=director)
    s1 = UserFactory.create(username="t_sales1", roles=[Role.SALES], superior=leader)
    s2 = UserFactory.create(username="t_sales2", roles=[Role.SALES], superior=leader)
    return {"director": director, "leader": leader, "s1": s1, "s2": s2}


# ------------------------------------------------------------------------------------- customers
class CustomerFactory(factory.django.DjangoModelFactory[Customer]):
    """A customer with a valid mobile; `owner=None, tier=Tier.POOL` for a pool customer."""

    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"测试客户{n}科技有限公司")
    tier = Tier.INTENT
    owner = factory.SubFactory(UserFactory, roles=[Role.SALES])
    business_contact = "王经理"
    mobile = "13800138000"


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = "李工"
    title = "技术负责人"


class ContactLogFactory(factory.django.DjangoModelFactory[ContactLog]):
    class Meta:
        model = ContactLog

    customer = factory.SubFactory(CustomerFactory)
    date = factory.LazyFunction(timezone.localdate)
    contact_name = "王经理"
    form = ContactForm.PHONE
    content = "电话沟通"
    outcome = "客户有意向"


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    class Meta:
        model = Product

    customer = factory.SubFactory(CustomerFactory)
    name = "行业短信"
    kind = ProductKind.INDUSTRY_SMS
    bill_type = BillType.AUTO
    bill_day = 5
    payment_term_months = 1
    settlement = Settlement.POSTPAID


class AccountFactory(factory.django.DjangoModelFactory[Account]):
    class Meta:
        model = Account

    product = factory.SubFactory(ProductFactory)
    code = factory.Sequence(lambda n: f"T{n:05d}")


class ContractFactory(factory.django.DjangoModelFactory[Contract]):
    """An archived contract (the state the funnel reads)."""

    class Meta:
        model = Contract

    customer = factory.SubFactory(CustomerFactory)
    status = ContractStatus.ARCHIVED
    archived_on = factory.LazyAttribute(lambda c: c.valid_from)


# ------------------------------------------------------------------------------- pricing (schedules)
def schedule_active(
    *,
    product: Product,
    price_type: str = PriceType.UNIFORM,
    tiers: list[tuple[int, int | None, str]] | None = None,
    price: str = "0.04",
    valid_from: date = date(2020, 1, 1),
    valid_to: date = date(2099, 12, 31),
    account: Account | None = None,
    carrier_tiers: dict[str, list[tuple[int, int | None, str]]] | None = None,
    country_prices: dict[str, str] | None = None,
) -> PriceSchedule:
    """An active schedule made through the services, as finance would in the desk."""
    groups = carrier_tiers or {"": tiers or [(0, None, price)]}
    schedule = price_schedule_create(
        product=product,
        account=account,
        price_type=price_type,
        tiers={c: tuple(price_models.Tier(lo, up, Decimal(p)) for lo, up, p in rows) for c, rows in groups.items()},
        valid_from=valid_from,
        valid_to=valid_to,
        remarks="测试调价",
        country_prices=[
            CountryPriceRow(code, COUNTRIES[code], Decimal(p)) for code, p in (country_prices or {}).items()
        ],
        user=None,
    )
    return price_schedule_activate(schedule=schedule, user=None)
