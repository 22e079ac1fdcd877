"""Amounts in Chinese capitals (中文大写金额), written as the People's Bank's rules for bills and
settlement vouchers (《支付结算办法》附件一 正确填写票据和结算凭证的基本规定) ask:

- digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟万亿, then 元角分; 元 with no 角 or 分 ends with 整;
- a 拾 at the head is written 壹拾 (10 → 壹拾元整);
- zeros between digits are written as one 零 (1,005 → 壹仟零伍; 10,010 → 壹万零壹拾);
- 角 of 0 with a 分 → 零 after 元 (100,000.05 → 壹拾万元零伍分);
- where the rules allow either, we leave the 零 out (1,680.32 → 壹仟陆佰捌拾元叁角贰分;
  107,000.53 → 壹拾万柒仟元伍角叁分) and write no 整 after 角 (1,005.30 → 壹仟零伍元叁角).
"""

from __future__ import annotations

from decimal import Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
# Units inside a four-digit group, from the thousands down.
GROUP_UNITS = ("仟", "佰", "拾", "")

NEGATIVE_REFUSED = "金额 {amount} 为负数，不能写成大写金额"
TOO_PRECISE = "金额 {amount} 超过两位小数，请先舍入到分"
TOO_LARGE = "金额 {amount} 超出大写金额的范围（须小于一亿亿元）"
NOT_A_NUMBER = "金额 {amount} 不是数字"

_YI = 10**8
_WAN = 10**4


def _group(n: int) -> str:
    """0 < n < 10,000, with a 零 for each run of zeros between digits (1005 → 壹仟零伍)."""
    out: list[str] = []
    pending_zero = False
    for digit, unit in zip(f"{n:04d}", GROUP_UNITS, strict=True):
        if digit == "0":
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(DIGITS[int(digit)] + unit)
    return "".join(out)


def _below_yi(n: int) -> str:
    """0 < n < 10^8: the 万 group, then the low group, a 零 where the low group starts with zeros."""
    high, low = divmod(n, _WAN)
    out = ""
    if high:
        out = _group(high) + "万"
        if low and low < 1000:
            out += "零"
    return out + (_group(low) if low else "")


def _integer(n: int) -> str:
    """0 < n < 10^16."""
    high, low = divmod(n, _YI)
    out = ""
    if high:
        out = _below_yi(high) + "亿"
        if low and low < 10**7:
            out += "零"
    return out + (_below_yi(low) if low else "")


def amount_in_words(amount: Decimal) -> str:
    """¥1,234.00 → 壹仟贰佰叁拾肆元整; ¥0.56 → 伍角陆分. Refuses negatives and fractions of a 分."""
    if not isinstance(amount, Decimal):
        amount = Decimal(str(amount))
    if not amount.is_finite():
        raise ValueError(NOT_A_NUMBER.format(amount=amount))
    if amount < 0:
        raise ValueError(NEGATIVE_REFUSED.format(amount=amount))
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(TOO_PRECISE.format(amount=amount))
    total = int(cents)
    yuan, fraction = divmod(total, 100)
    jiao, fen = divmod(fraction, 10)
    if yuan >= 10**16:
        raise ValueError(TOO_LARGE.format(amount=amount))
    if total == 0:
        return "零元整"
    out = _integer(yuan) + "元" if yuan else ""
    if not jiao and not fen:
        return out + "整"
    if jiao:
        out += DIGITS[jiao] + "角"
    elif yuan:
        out += "零"  # 元 … 零伍分: the 角 of 0 between them must be written
    if fen:
        out += DIGITS[fen] + "分"
    return out
