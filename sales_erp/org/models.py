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
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.username

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
