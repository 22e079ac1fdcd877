"""Reads on custom fields."""

from __future__ import annotations

from typing import Any

from sales_erp.workbench.models import CustomField


def custom_fields_for(entity: str) -> list[CustomField]:
    return list(CustomField.objects.filter(entity=entity, is_active=True).order_by("order", "id"))


def stored_display(value: Any) -> str:
    """A stored custom-field value as a reader expects it: 是/否, a linked object's or a file's name."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        return str(value.get("label") or value.get("name") or "")
    return str(value)


def custom_field_values(*, entity: str, values: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(label, value) for a detail page, in the fields' order; unfilled fields show as empty."""
    values = values or {}
    return [(cf.label, stored_display(values.get(cf.name))) for cf in custom_fields_for(entity)]
