"""Ids as the API reads them: a 64-bit signed integer at most (what both databases store), so a huge
number in a path, a filter or a body is simply "not found" or a validation error, never a database error."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

MAX_ID = 2**63 - 1
ID_REGEX = r"[0-9]{1,18}"  # path ids: anything longer cannot be a row and answers 404
ID_INVALID = "{name} 应为编号（正整数），收到 “{value}”"


def id_param(params: Any, name: str) -> int | None:
    """An id from the query string; None when absent; a 400 saying what to fix when not an id."""
    value = params.get(name, "")
    if value == "":
        return None
    if not value.isdigit() or int(value) > MAX_ID:
        raise serializers.ValidationError({name: [ID_INVALID.format(name=name, value=value)]})
    return int(value)


class IdField(serializers.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or (isinstance(data, int) and not 0 < data <= MAX_ID):
            self.fail("does_not_exist", pk_value=data)
        if isinstance(data, str) and data.isdigit() and int(data) > MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)
