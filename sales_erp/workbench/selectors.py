"""Reads on custom fields."""

from __future__ import annotations

from typing import Any

from sales_erp.workbench.models import CustomField


def custom_fields_for(entity: str) -> list[CustomField]:
    return list(CustomField.objects.filter(entity=entity, is_active=True).order_by("order", "id"))


def custom_field_values(*, entity: str, values: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(label, value) for a detail page, in the fields' order; unfilled fields show as empty."""
    values = values or {}
    return [
        (cf.label, "" if values.get(cf.name) in (None, "") else str(values[cf.name]))
        for cf in custom_fields_for(entity)
    ]
