"""Who may use the API at all, and which model permission each endpoint needs: the desk's rules.

Rows are narrowed by the same selectors the desk uses (customers.selectors visibility); a hidden row is a
404, never a 403, so an id tells nobody that a record exists.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class IsStaff(BasePermission):
    """The API is the desk's: company staff only. A customer's portal login (not staff) gets 403."""

    message = "只有公司员工账号可以使用接口；客户请使用客户门户"

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_staff)


class ModelPermissions(BasePermission):
    """The Django model permission per action, as the desk's admin checks it: view to read, add to create,
    change to update. A view lists them in `perms = {"list": "customers.view_customer", ...}`."""

    message = "您没有权限进行此操作"

    def has_permission(self, request: Request, view: Any) -> bool:
        needed = getattr(view, "perms", {}).get(getattr(view, "action", None) or (request.method or "").lower())
        return needed is None or bool(request.user.has_perm(needed))
