"""Auto-pass conditions of a node: rows of `field op value` over the form data, ANDed (DESIGN §3).

Admins write one row per line in the workbench, e.g. ``auto_write_off = 1`` or ``region in 北京,上海``.
At run time a row on an absent or empty field is false for every op but ``is-empty`` and never raises:
a condition can only ever let a node pass automatically, never break an instance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

OPS = ("=", "!=", ">", ">=", "<", "<=", "in", "contains", "is-empty")
OP_LABELS = {
    "=": "=",
    "!=": "≠",
    ">": ">",
    ">=": "≥",
    "<": "<",
    "<=": "≤",
    "in": "属于",
    "contains": "包含",
    "is-empty": "为空",
}
# Longest first, so ">=" is not read as ">" followed by "=1".
ROW = re.compile(
    r"^\s*(?P<field>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>!=|>=|<=|=|>|<|\bin\b|\bcontains\b|\bis-empty\b)\s*(?P<value>.*?)\s*$"
)
LIST_SPLIT = re.compile(r"\s*[,，]\s*")
TRUE_WORDS = {"1", "true", "是", "yes", "y"}
FALSE_WORDS = {"0", "false", "否", "no", "n"}

SYNTAX_ERROR = "第 {row} 行「{text}」看不懂：请写成「字段 运算符 值」，运算符为 {ops}"
VALUE_MISSING = "第 {row} 行「{text}」缺少比较的值"
VALUE_EXTRA = "第 {row} 行「{text}」: is-empty 不带值"
UNKNOWN_FIELD = "第 {row} 行: 字段 {field} 不在流程「{code}」的表单中，可用字段: {known}"


@dataclass(frozen=True)
class ConditionRow:
    field: str
    op: str
    value: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "op": self.op, "value": self.value}


class ConditionError(ValueError):
    """A condition text that cannot be saved; the message names the row and what to fix."""


def condition_parse(text: str) -> list[ConditionRow]:
    """Parse the workbench text (one row per line, blank lines ignored) into rows, or raise ConditionError."""
    rows: list[ConditionRow] = []
    errors: list[str] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = ROW.match(line)
        if match is None:
            errors.append(SYNTAX_ERROR.format(row=number, text=line.strip(), ops=" ".join(OPS)))
            continue
        row = ConditionRow(match["field"], match["op"], match["value"])
        if row.op == "is-empty" and row.value:
            errors.append(VALUE_EXTRA.format(row=number, text=line.strip()))
        elif row.op != "is-empty" and not row.value:
            errors.append(VALUE_MISSING.format(row=number, text=line.strip()))
        rows.append(row)
    if errors:
        raise ConditionError("；".join(errors))
    return rows


def condition_text(rows: Iterable[Mapping[str, str]]) -> str:
    """The workbench text of stored rows (the inverse of condition_parse)."""
    return "\n".join(f"{r['field']} {r['op']} {r.get('value', '')}".rstrip() for r in rows)


def condition_check_fields(rows: Iterable[Mapping[str, str]], *, known: Mapping[str, str], code: str) -> None:
    """Refuse rows that name a field the process's form does not have (`known`: name -> label)."""
    errors = [
        UNKNOWN_FIELD.format(row=number, field=row["field"], code=code, known="、".join(sorted(known)) or "（无）")
        for number, row in enumerate(rows, start=1)
        if row["field"] not in known
    ]
    if errors:
        raise ConditionError("；".join(errors))


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], {}, ())


def as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return Decimal(int(value))
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def as_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def equals(actual: Any, expected: str) -> bool:
    if isinstance(actual, bool):
        word = expected.strip().lower()
        return (word in TRUE_WORDS) if actual else (word in FALSE_WORDS)
    left, right = as_decimal(actual), as_decimal(expected)
    if left is not None and right is not None:
        return left == right
    return str(actual).strip() == expected.strip()


def compare(actual: Any, expected: str, op: str) -> bool:
    """Order comparisons need two numbers or two ISO dates; anything else is simply false."""
    left: Any = as_decimal(actual)
    right: Any = as_decimal(expected)
    if left is None or right is None:
        left, right = as_date(actual), as_date(expected)
    if left is None or right is None:
        return False
    return {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[op]


def row_holds(row: Mapping[str, str], data: Mapping[str, Any]) -> bool:
    field, op, expected = row["field"], row["op"], row.get("value", "")
    actual = data.get(field)
    if isinstance(actual, dict):  # a linked object or a file is kept as {id, label | name}: compare its name
        actual = actual.get("label") or actual.get("name")
    if op == "is-empty":
        return is_empty(actual)
    if is_empty(actual):
        return False
    values = actual if isinstance(actual, list) else [actual]
    if op == "=":
        return any(equals(v, expected) for v in values)
    if op == "!=":
        return not any(equals(v, expected) for v in values)
    if op == "in":
        options = [o for o in LIST_SPLIT.split(expected.strip()) if o]
        return any(equals(v, o) for v in values for o in options)
    if op == "contains":
        if isinstance(actual, list):
            return any(equals(v, expected) for v in actual)
        return expected in str(actual)
    if op in (">", ">=", "<", "<="):
        return not isinstance(actual, list) and compare(actual, expected, op)
    return False


def condition_holds(rows: Iterable[Mapping[str, str]], data: Mapping[str, Any]) -> bool:
    """True when every row holds. An empty condition never holds: a node without one always waits."""
    rows = list(rows)
    return bool(rows) and all(row_holds(row, data) for row in rows)


def condition_describe(rows: Iterable[Mapping[str, str]], labels: Mapping[str, str]) -> str:
    """The timeline's wording, with the form's labels: "自动销账 = 1" or "自动续签 = 是 且 是否标准合同 = 是"."""
    parts = []
    for row in rows:
        label = labels.get(row["field"], row["field"])
        parts.append(f"{label} {OP_LABELS.get(row['op'], row['op'])} {row.get('value', '')}".rstrip())
    return " 且 ".join(parts)
