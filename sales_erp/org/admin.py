from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from unfold.admin import ModelAdmin
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from sales_erp.desk.admin_base import DeskAdmin
from sales_erp.org.models import Department, InvoicingEntity, User
from sales_erp.org.roles import Role

admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(BaseUserAdmin, DeskAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ["username", "__str__", "department", "superior", "role_list", "is_active"]
    list_filter = ["department", "groups", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email", "mobile"]
    autocomplete_fields = ["department", "superior"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("last_name", "first_name", "email", "mobile")}),
        ("组织", {"fields": ("department", "superior", "groups")}),
        ("状态", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )

    @admin.display(description="角色")
    def role_list(self, obj: User) -> str:
        return "、".join(Role(name).label if name in Role.values else name for name in obj.role_codes)


@admin.register(Department)
class DepartmentAdmin(DeskAdmin):
    list_display = ["name", "parent"]
    search_fields = ["name"]


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin, ModelAdmin):
    list_display = ["name", "label"]

    @admin.display(description="角色名称")
    def label(self, obj: Group) -> str:
        return Role(obj.name).label if obj.name in Role.values else obj.name


@admin.register(InvoicingEntity)
class InvoicingEntityAdmin(DeskAdmin):
    list_display = ["name", "tax_id", "bank", "bank_account", "is_default", "active"]
    search_fields = ["name", "tax_id"]
