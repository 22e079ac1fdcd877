from __future__ import annotations

from typing import Any

from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from unfold.sites import UnfoldAdminSite


class DeskSite(UnfoldAdminSite):
    """The staff desk. Only staff reach it; portal users have their own site (/portal/)."""

    site_header = "Sales ERP 销售管理系统"
    site_title = "Sales ERP"
    index_title = "工作台首页"

    def get_sidebar_list(self, request: HttpRequest) -> list[dict[str, Any]]:
        # Drop what the user may not open, so a hidden menu is absent from the page, not only unstyled.
        groups = []
        for group in super().get_sidebar_list(request):
            group["items"] = [entry for entry in group["items"] if entry.get("has_permission")]
            if group["items"]:
                groups.append(group)
        return groups


class DeskAdminConfig(AdminConfig):
    """django.contrib.admin with the desk's own site class (INSTALLED_APPS names this)."""

    default_site = "sales_erp.desk.sites.DeskSite"
