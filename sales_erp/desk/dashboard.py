"""The desk home page: each app contributes cards through hooks.DASHBOARD_CARDS."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static
from django.utils.module_loading import import_string

from sales_erp import hooks


def dashboard_callback(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    cards = []
    for path in hooks.DASHBOARD_CARDS:
        card = import_string(path)(request=request)
        if card is not None:
            cards.append(card)
    context["dashboard_cards"] = cards
    return context


def environment_callback(request: HttpRequest) -> list[str]:
    if settings.PRODUCTION:
        return ["生产环境", "danger"]
    return ["演示环境 · SQLite" if settings.DB_ENGINE == "sqlite" else "演示环境 · MariaDB", "info"]


def favicon_url(request: HttpRequest) -> str:
    return static("desk/favicon.svg")
