"""The company's own people: users with their internal department and superior (DESIGN §1)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from simple_history.models import HistoricalRecords

from sales_erp.org.roles import SEE_ALL_ROLES, Role


class Department(models.Model):
    """An internal department (华东销售部, 财务部 …), not a customer's department."""

    name = models.CharField("部门名称", max_length=100, unique=True)
    parent = models.ForeignKey("self", verbose_name="上级部门", null=True, blank=True, on_delete=models.PROTECT)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "内部部门"
        verbose_name_plural = "内部部门"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    department = models.ForeignKey(
        Department, verbose_name="部门", null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    superior = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.SET_NULL, related_name="subordinates"
    )
    mobile = models.CharField("手机", max_length=20, blank=True)
    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=[AbstractUser.groups.field])

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Chinese names are family name first, with no space: 张伟, not "伟 张".
        return f"{self.last_name}{self.first_name}".strip()

    # Role checks read the user's Groups once per request object and keep them.
    @property
    def role_codes(self) -> frozenset[str]:
        cached: frozenset[str] | None = getattr(self, "_role_codes", None)
        if cached is None:
            cached = frozenset(self.groups.values_list("name", flat=True)) if self.pk else frozenset()
            self._role_codes = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_codes.intersection(roles))

    @property
    def sees_all_customers(self) -> bool:
        return self.is_superuser or bool(self.role_codes & SEE_ALL_ROLES)

    @property
    def is_admin_role(self) -> bool:
        return self.is_superuser or self.has_role(Role.ADMIN)

    def subordinate_ids(self) -> set[int]:
        """Every user below this one in the superior chain (leaders see their subordinates' customers)."""
        found: set[int] = set()
        frontier = {self.pk}
        while frontier:
            below = set(User.objects.filter(superior_id__in=frontier).values_list("pk", flat=True)) - found
            below.discard(self.pk)
            found |= below
            frontier = below
        return found


class InvoicingEntity(models.Model):
    """我司开票信息: one of our own companies that invoices customers and heads statements."""

    name = models.CharField("公司名称", max_length=200, unique=True)
    tax_id = models.CharField("税务号", max_length=18)
    address = models.CharField("公司地址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    bank = models.CharField("开户银行", max_length=100, blank=True)
    bank_account = models.CharField("银行账号", max_length=50, blank=True)
    is_default = models.BooleanField("默认", default=False)
    active = models.BooleanField("启用", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "我司开票信息"
        verbose_name_plural = "我司开票信息"
        ordering = ["-is_default", "name"]

    def __str__(self) -> str:
        return self.name
