"""Writes on portal logins: salespeople (for their own customers) and admins open them; the customer's
staff member sets the password through the link mailed to them (the reset mechanism of django.contrib.auth)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from sales_erp.billing.models import Bill, BillStatus, CustomerCountSource
from sales_erp.customers.models import Customer
from sales_erp.customers.selectors import customer_edit_q
from sales_erp.org.models import User
from sales_erp.org.roles import Role
from sales_erp.portal.models import PortalAccount
from sales_erp.reconciliation.services import ReconciliationRefused, bill_customer_count_enter


class PortalRefused(Exception):
    def __init__(self, message: str, *, code: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.code, self.field = message, code, field


MAY_NOT_CREATE = "只有该客户的销售或管理员可以开通客户门户账号"
USERNAME_TAKEN = "登录名“{username}”已被使用，请换一个"
USERNAME_REQUIRED = "请填写登录名"
EMAIL_REQUIRED = "请填写邮箱：设置密码的链接会发到这个邮箱"
EMAIL_INVALID = "邮箱“{email}”格式不正确"
NAME_REQUIRED = "请填写姓名"
SET_PASSWORD_SUBJECT = "【客户门户】请设置您的登录密码"
DEMO_PORTAL_USERNAME = "kehu"
DEMO_PORTAL_CUSTOMER = "上海甲乙科技有限公司"


def portal_account_may_create(*, user: User, customer: Customer) -> bool:
    """Sales open logins for the customers they may change (their own, a leader's team's); admins for any."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_admin_role:
        return True
    if not user.has_role(Role.SALES, Role.SALES_LEADER):
        return False
    q = customer_edit_q(user)
    return q is None or Customer.objects.filter(q, pk=customer.pk).exists()


def set_password_link(*, user: User, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return base_url.rstrip("/") + reverse("portal:password_reset_confirm", args=[uid, token])


@transaction.atomic
def portal_account_create(
    *, customer: Customer, username: str, name: str, email: str, created_by: User, base_url: str
) -> PortalAccount:
    """Open a portal login for one of `customer`'s staff and mail them the link to set their password.

    The user is in role 客户 and never staff, so the desk and the API refuse it.
    """
    if not portal_account_may_create(user=created_by, customer=customer):
        raise PortalRefused(MAY_NOT_CREATE, code="not_allowed")
    username, name, email = username.strip(), name.strip(), email.strip()
    if not username:
        raise PortalRefused(USERNAME_REQUIRED, code="username_required", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise PortalRefused(USERNAME_TAKEN.format(username=username), code="username_taken", field="username")
    if not name:
        raise PortalRefused(NAME_REQUIRED, code="name_required", field="name")
    if not email:
        raise PortalRefused(EMAIL_REQUIRED, code="email_required", field="email")
    try:
        validate_email(email)
    except ValidationError:
        raise PortalRefused(EMAIL_INVALID.format(email=email), code="email_invalid", field="email") from None
    user = User(username=username, last_name=name, email=email, is_staff=False, is_active=True)
    user.set_unusable_password()
    user.save()
    user.groups.set(Group.objects.filter(name=Role.CUSTOMER))
    account = PortalAccount.objects.create(user=user, customer=customer, created_by=created_by)
    link = set_password_link(user=user, base_url=base_url)
    body = render_to_string(
        "portal/registration/account_created_email.txt", {"user": user, "customer": customer, "link": link}
    )
    transaction.on_commit(lambda: send_mail(SET_PASSWORD_SUBJECT, body, settings.DEFAULT_FROM_EMAIL, [email]))
    return account


@transaction.atomic
def portal_account_set_active(*, account: PortalAccount, active: bool, by: User) -> PortalAccount:
    """停用 / 启用 a portal login (the customer's staff member left); only who may create it may do so."""
    if not portal_account_may_create(user=by, customer=account.customer):
        raise PortalRefused(MAY_NOT_CREATE, code="not_allowed")
    account.user.is_active = active
    account.user.save(update_fields=["is_active"])
    return account


def demo_portal_accounts_create() -> None:
    """Setup step (demo only): a portal login `kehu` for the demo customer 上海甲乙科技有限公司."""
    from sales_erp.org.services import DEMO_PASSWORD

    if settings.PRODUCTION:
        raise RuntimeError("生产模式下不创建演示账号 (demo logins are never created in production mode)")
    customer = Customer.objects.filter(name=DEMO_PORTAL_CUSTOMER).first()
    if customer is None:
        return
    user, _ = User.objects.get_or_create(
        username=DEMO_PORTAL_USERNAME,
        defaults={"last_name": "甲乙财务", "email": "kehu@example.com", "is_staff": False},
    )
    user.is_staff, user.is_superuser, user.is_active = False, False, True
    user.set_password(DEMO_PASSWORD)
    user.save()
    user.groups.set(Group.objects.filter(name=Role.CUSTOMER))
    PortalAccount.objects.update_or_create(user=user, defaults={"customer": customer})


# ------------------------------------------------------------------------------------------ 客户数据
COUNT_IN_PROCESS = "{name} 正在对账流程中（对账中），客户数据已随流程提交；如需修改请联系我司销售"
COUNT_NOT_OURS = "账单不属于贵公司"


def portal_customer_count_enter(*, customer: Customer, bill: Bill, count: int | None, user: User) -> Bill:
    """客户数据 typed in the portal: only on the company's 未对账 bills (those the desk's reconciliation page
    offers, where sales then see it); 对账中 (the figures travel with the process) and 已对账 are refused."""
    if bill.customer_id != customer.pk:
        raise PortalRefused(COUNT_NOT_OURS, code="portal.bill_not_ours")
    if bill.status == BillStatus.RECONCILING:
        raise PortalRefused(COUNT_IN_PROCESS.format(name=bill.name), code="portal.count_in_process")
    try:
        return bill_customer_count_enter(bill=bill, count=count, user=user, source=CustomerCountSource.PORTAL)
    except ReconciliationRefused as refusal:
        raise PortalRefused(refusal.message, code=refusal.code) from None
