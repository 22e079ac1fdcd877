"""Chinese capital amounts (中文大写金额) as the People's Bank's rules write them."""

from decimal import Decimal

import pytest

from sales_erp.statements.capital import amount_in_words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        # the brief's and the manual's figures (本次对账总计 0.56)
        ("0.56", "伍角陆分"),
        ("1234.00", "壹仟贰佰叁拾肆元整"),
        ("1005.30", "壹仟零伍元叁角"),
        ("100000.05", "壹拾万元零伍分"),
        # zero and cents only
        ("0", "零元整"),
        ("0.00", "零元整"),
        ("0.05", "伍分"),
        ("0.50", "伍角"),
        ("0.01", "壹分"),
        # a head 拾 is 壹拾; round figures end with 整
        ("10", "壹拾元整"),
        ("15", "壹拾伍元整"),
        ("100", "壹佰元整"),
        ("110", "壹佰壹拾元整"),
        ("1000000", "壹佰万元整"),
        # zeros inside: one 零 per run, across the 万 boundary too
        ("10010.01", "壹万零壹拾元零壹分"),
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        ("100500", "壹拾万零伍佰元整"),
        ("1001001", "壹佰万壹仟零壹元整"),  # 万 digit 0, 仟 digit not: no 零 (allowed)
        ("1000101", "壹佰万零壹佰零壹元整"),
        # where the rules allow it, the 零 for a zero 元/万 digit is left out
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("107000.53", "壹拾万柒仟元伍角叁分"),
        # 亿 range
        ("100000000", "壹亿元整"),
        ("100000001", "壹亿零壹元整"),
        ("100010000", "壹亿零壹万元整"),
        ("120000000", "壹亿贰仟万元整"),
        ("1234567890.12", "壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾元壹角贰分"),
        ("1000000000000", "壹万亿元整"),
        ("1000000010000", "壹万亿零壹万元整"),
        ("123456789012.34", "壹仟贰佰叁拾肆亿伍仟陆佰柒拾捌万玖仟零壹拾贰元叁角肆分"),
        ("9999999999999999.99", "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_amount_in_words(amount: str, words: str) -> None:
    assert amount_in_words(Decimal(amount)) == words


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-0.01", "金额 -0.01 为负数，不能写成大写金额"),
        ("-100", "金额 -100 为负数，不能写成大写金额"),
        ("0.005", "金额 0.005 超过两位小数，请先舍入到分"),
        ("10000000000000000", "金额 10000000000000000 超出大写金额的范围（须小于一亿亿元）"),
        ("NaN", "金额 NaN 不是数字"),
    ],
)
def test_amount_in_words_refuses(amount: str, message: str) -> None:
    with pytest.raises(ValueError) as refused:
        amount_in_words(Decimal(amount))
    assert str(refused.value) == message


def test_trailing_zeros_beyond_cents_are_fine() -> None:
    assert amount_in_words(Decimal("12.3400")) == "壹拾贰元叁角肆分"
