"""Auto-pass conditions: parsing the workbench text, evaluating rows, absent and empty fields."""

from __future__ import annotations

import pytest

from sales_erp.workflow.conditions import (
    ConditionError,
    condition_check_fields,
    condition_describe,
    condition_holds,
    condition_parse,
    condition_text,
)


def rows(text: str) -> list[dict[str, str]]:
    return [r.as_dict() for r in condition_parse(text)]


def test_parse_every_op_and_round_trip():
    text = "a = 1\nb != x\nc > 5\nd >= 5\ne < 5\nf <= 5\ng in 北京,上海\nh contains 短信\ni is-empty"
    parsed = rows(text)
    assert [r["op"] for r in parsed] == ["=", "!=", ">", ">=", "<", "<=", "in", "contains", "is-empty"]
    assert parsed[6] == {"field": "g", "op": "in", "value": "北京,上海"}
    assert parsed[8] == {"field": "i", "op": "is-empty", "value": ""}
    assert condition_text(parsed) == text


def test_parse_ignores_blank_lines_and_reads_ge_before_gt():
    assert rows("\n  amount>=100  \n\n") == [{"field": "amount", "op": ">=", "value": "100"}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("自动销账 = 1", "第 1 行「自动销账 = 1」看不懂"),
        ("a = 1\namount ~ 5", "第 2 行「amount ~ 5」看不懂"),
        ("a =", "第 1 行「a =」缺少比较的值"),
        ("a is-empty 3", "第 1 行「a is-empty 3」: is-empty 不带值"),
    ],
)
def test_parse_refuses_with_the_row_number(text, message):
    with pytest.raises(ConditionError) as refused:
        condition_parse(text)
    assert str(refused.value).startswith(message)


def test_unknown_field_is_named_with_the_known_ones():
    with pytest.raises(ConditionError) as refused:
        condition_check_fields(
            rows("amount > 1\nauto_writeoff = 1"),
            known={"amount": "金额", "auto_write_off": "自动销账"},
            code="write_off",
        )
    assert (
        str(refused.value)
        == "第 2 行: 字段 auto_writeoff 不在流程「write_off」的表单中，可用字段: amount、auto_write_off"
    )


CASES = [
    # (row, data, expected)
    ("n = 1", {"n": "1"}, True),
    ("n = 1", {"n": "1.00"}, True),
    ("n = 1", {"n": 1}, True),
    ("n = 1", {"n": "2"}, False),
    ("n != 1", {"n": "2"}, True),
    ("n != 1", {"n": "1"}, False),
    ("n > 100", {"n": "100.01"}, True),
    ("n > 100", {"n": "100"}, False),
    ("n >= 100", {"n": "100"}, True),
    ("n < 100", {"n": "99.999999"}, True),
    ("n <= 100", {"n": "100.000001"}, False),
    ("n > 100", {"n": "abc"}, False),  # not a number: false, no exception
    ("d >= 2026-11-01", {"d": "2026-11-01"}, True),
    ("d < 2026-11-01", {"d": "2026-10-31"}, True),
    ("s = 是", {"s": "是"}, True),
    ("s = 是", {"s": "否"}, False),
    ("b = 是", {"b": True}, True),
    ("b = 1", {"b": True}, True),
    ("b = 是", {"b": False}, False),
    ("b = 否", {"b": False}, True),
    ("r in 北京,上海", {"r": "上海"}, True),
    ("r in 北京，上海", {"r": "上海"}, True),
    ("r in 北京,上海", {"r": "广东"}, False),
    ("t contains 短信", {"t": "行业短信"}, True),
    ("t contains 短信", {"t": "语音"}, False),
    ("t contains a", {"t": ["a", "b"]}, True),
    ("t is-empty", {"t": ""}, True),
    ("t is-empty", {}, True),
    ("t is-empty", {"t": []}, True),
    ("t is-empty", {"t": "x"}, False),
]


@pytest.mark.parametrize(("text", "data", "expected"), CASES)
def test_row_evaluation(text, data, expected):
    assert condition_holds(rows(text), data) is expected


@pytest.mark.parametrize("op", ["= 1", "!= 1", "> 1", ">= 1", "< 1", "<= 1", "in 1,2", "contains 1"])
@pytest.mark.parametrize("data", [{}, {"x": None}, {"x": ""}, {"x": "   "}, {"x": []}])
def test_absent_or_empty_field_never_matches_and_never_raises(op, data):
    assert condition_holds(rows(f"x {op}"), data) is False


def test_rows_are_anded_and_an_empty_condition_never_passes():
    both = rows("auto_renew = 是\nis_standard = 是")
    assert condition_holds(both, {"auto_renew": "是", "is_standard": "是"}) is True
    assert condition_holds(both, {"auto_renew": "是", "is_standard": "否"}) is False
    assert condition_holds(both, {"auto_renew": "是"}) is False
    assert condition_holds([], {"anything": "1"}) is False


def test_describe_uses_the_form_labels():
    assert condition_describe(rows("auto_write_off = 1"), {"auto_write_off": "自动销账"}) == "自动销账 = 1"
    assert (
        condition_describe(
            rows("auto_renew = 是\nis_standard = 是"), {"auto_renew": "自动续签", "is_standard": "是否标准合同"}
        )
        == "自动续签 = 是 且 是否标准合同 = 是"
    )
    assert condition_describe(rows("x is-empty"), {}) == "x 为空"
