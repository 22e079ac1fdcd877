"""Portal test setup: two companies with a bill each, a portal login for one of them."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Group

from sales_erp.billing.models import Bill
from sales_erp.billing.services import bill_run, usage_push
from sales_erp.org.models import User
from sales_erp.org.roles import Role
from sales_erp.portal.models import PortalAccount
from tests.factories import AccountFactory, CustomerFactory, ProductFactory, UserFactory, schedule_active


def portal_user_create(*, username: str, customer, password: str = "pw", email: str = "") -> User:
    user = UserFactory.create(username=username, is_staff=False, email=email or f"{username}@kehu.example")
    user.set_password(password)
    user.save()
    user.groups.set(Group.objects.filter(name=Role.CUSTOMER))
    PortalAccount.objects.create(user=user, customer=customer)
    return user


@pytest.fixture
def companies(db):
    sales1 = UserFactory.create(username="pt_sales1", roles=[Role.SALES])
    sales2 = UserFactory.create(username="pt_sales2", roles=[Role.SALES])
    ours = CustomerFactory.create(name="门户甲科技有限公司", owner=sales1)
    other = CustomerFactory.create(name="门户乙科技有限公司", owner=sales2)
    for customer, code in ((ours, "PT001"), (other, "PT002")):
        product = ProductFactory.create(customer=customer, name="行业短信")
        AccountFactory.create(product=product, code=code)
        schedule_active(product=product, price="0.035")
    usage_push(
        rows=[
            {"day": date(2026, 10, 2), "account": "PT001", "billable": 1000},
            {"day": date(2026, 10, 9), "account": "PT001", "billable": 500},
            {"day": date(2026, 10, 2), "account": "PT002", "billable": 700},
        ],
        user=None,
    )
    bill_run(day=date(2026, 11, 28))
    return {
        "ours": ours,
        "other": other,
        "sales1": sales1,
        "sales2": sales2,
        "our_bill": Bill.objects.get(customer=ours),
        "other_bill": Bill.objects.get(customer=other),
        "kehu": portal_user_create(username="pt_kehu", customer=ours),
        "other_kehu": portal_user_create(username="pt_kehu2", customer=other),
    }
