"""Writes on the org: role groups and the demo staff."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from sales_erp.org.models import Department, InvoicingEntity, User
from sales_erp.org.roles import ROLE_PERMISSIONS, Role

DEMO_PASSWORD = "demo1234"


@transaction.atomic
def roles_sync() -> None:
    """Make one Group per role with exactly the permissions of ROLE_PERMISSIONS (idempotent)."""
    every = Permission.objects.select_related("content_type")
    by_code = {f"{p.content_type.app_label}.{p.codename}": p for p in every}
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = ROLE_PERMISSIONS.get(role.value, [])
        if "*" in wanted:
            group.permissions.set(every)
            continue
        unknown = [code for code in wanted if code not in by_code]
        if unknown:
            raise ValueError(f"角色 {role.value} 引用了不存在的权限: {', '.join(unknown)}")
        group.permissions.set([by_code[code] for code in wanted])


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    roles: tuple[str, ...]
    department: str
    superior: str | None = None


# The demo company: two salespeople under one leader, and one person for every other role.
DEMO_STAFF: tuple[DemoUser, ...] = (
    DemoUser("director", "赵总", (Role.SALES_DIRECTOR,), "销售事业部"),
    DemoUser("leader", "王强", (Role.SALES_LEADER,), "华东销售部", "director"),
    DemoUser("sales", "张伟", (Role.SALES,), "华东销售部", "leader"),
    DemoUser("sales2", "李娜", (Role.SALES,), "华东销售部", "leader"),
    DemoUser("salesadmin", "陈静", (Role.SALES_ADMIN,), "销售管理部"),
    DemoUser("finance", "刘芳", (Role.FINANCE,), "财务部"),
    DemoUser("finance_hq", "孙丽", (Role.FINANCE_HQ,), "财务部(总部)"),
    DemoUser("billing", "周杰", (Role.BILLING_EXPERT,), "运营部"),
    DemoUser("auditor", "吴敏", (Role.OPS_AUDITOR,), "运营部"),
    DemoUser("risk", "郑浩", (Role.RISK_EXPERT,), "运营部"),
    DemoUser("accountmgr", "冯雪", (Role.ACCOUNT_MANAGER,), "运营部"),
    DemoUser("opsvp", "钱进", (Role.OPS_VP,), "运营部"),
    DemoUser("routing", "何平", (Role.ROUTING_MANAGER,), "运营部"),
    DemoUser("resource", "高远", (Role.RESOURCE,), "资源部"),
    DemoUser("legal", "罗律", (Role.LEGAL,), "法务部"),
    DemoUser("tech", "马腾", (Role.TECH_SUPPORT,), "技术支持部"),
    DemoUser("admin", "系统管理员", (Role.ADMIN,), "信息部"),
)


@transaction.atomic
def demo_staff_create() -> list[DemoUser]:
    """Create (or reset) one demo login per role. Refused in production: demo passwords are public."""
    if settings.PRODUCTION:
        raise RuntimeError("生产模式下不创建演示用户 (demo users are never created in production mode)")
    roles_sync()
    created: dict[str, User] = {}
    for demo in DEMO_STAFF:
        dept, _ = Department.objects.get_or_create(name=demo.department)
        user = User.objects.filter(username=demo.username).first() or User(username=demo.username)
        user.last_name, user.first_name = demo.name[:1], demo.name[1:]
        user.department = dept
        user.superior = created.get(demo.superior) if demo.superior else None
        user.is_staff = True
        user.is_superuser = Role.ADMIN in demo.roles
        user.email = f"{demo.username}@example.com"
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set(Group.objects.filter(name__in=demo.roles))
        created[demo.username] = user
    return list(DEMO_STAFF)


def demo_invoicing_entity_create() -> None:
    """The demo company's own invoicing entity (statements and invoices carry it)."""
    InvoicingEntity.objects.get_or_create(
        name="某某云通讯有限公司",
        defaults={
            "tax_id": "914403001922038216",
            "address": "深圳市南山区科技园路1号",
            "phone": "0755-00000000",
            "bank": "某银行深圳分行",
            "bank_account": "755900000010001",
            "is_default": True,
        },
    )
