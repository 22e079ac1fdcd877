"""Checks on what salespeople type into customer, contact and product forms (manual 1.1–1.4).

Each check raises a ValidationError whose message names the value and says what to fix.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

# 统一社会信用代码 (GB 32100-2015): 31 characters, without I, O, S, V, Z.
TAX_ID_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
TAX_ID_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

TAX_ID_LENGTH = "税务号 '{value}' 应为 18 位统一社会信用代码，现为 {length} 位"
TAX_ID_CHARACTER = "税务号 '{value}' 第 {position} 位 '{char}' 不是统一社会信用代码允许的字符（不含 I、O、S、V、Z）"
TAX_ID_CHECKSUM = "税务号 '{value}' 校验位不正确，请核对营业执照上的统一社会信用代码"
MOBILE_INVALID = "手机号 '{value}' 无效：应为 11 位手机号（如 13800138000），境外号码以 + 和国家码开头"
PHONE_INVALID = "电话号码 '{value}' 无效：只能包含数字、空格、+、-、括号和“转”（分机）"
QQ_INVALID = "QQ号 '{value}' 无效：应为 5–12 位数字"
WEBSITE_INVALID = "公司网页 '{value}' 不是有效的网址（如 www.example.com）"
DATE_IN_FUTURE = "日期 {value} 晚于今天，请填写已经发生的日期"
ACCOUNT_DUPLICATE = "账号 {codes} 在账号框中重复出现，请删去重复的账号"
ACCOUNT_TOO_LONG = "账号 '{code}' 超过 64 个字符"
ACCOUNT_BLANK_INSIDE = "账号 '{code}' 中间含有空格；多个账号请用换行、中文逗号或英文逗号分隔"

MOBILE_RE = re.compile(r"(?:\+?86)?1[3-9]\d{9}|\+[1-9]\d{6,14}")
PHONE_RE = re.compile(r"[0-9+\-() 转]{5,30}")
QQ_RE = re.compile(r"[1-9]\d{4,11}")
ACCOUNT_SEPARATORS = re.compile(r"[\n\r,，]")


def tax_id_normalise(value: str) -> str:
    return (value or "").strip().upper()


def tax_id_check_char(first17: str) -> str:
    total = sum(TAX_ID_ALPHABET.index(ch) * weight for ch, weight in zip(first17, TAX_ID_WEIGHTS, strict=True))
    return TAX_ID_ALPHABET[(31 - total % 31) % 31]


def validate_tax_id(value: str) -> None:
    """GB 32100-2015: 18 characters of the code alphabet, the last a weighted mod-31 check character.

    Lower case is accepted (the models store it upper case).
    """
    code = tax_id_normalise(value)
    if len(code) != 18:
        raise ValidationError(TAX_ID_LENGTH.format(value=value, length=len(code)), code="tax_id_length")
    for position, char in enumerate(code, start=1):
        if char not in TAX_ID_ALPHABET:
            raise ValidationError(
                TAX_ID_CHARACTER.format(value=value, position=position, char=char), code="tax_id_character"
            )
    if tax_id_check_char(code[:17]) != code[17]:
        raise ValidationError(TAX_ID_CHECKSUM.format(value=value), code="tax_id_checksum")


def phone_compact(value: str) -> str:
    return re.sub(r"[\s\-()]", "", value or "")


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.fullmatch(phone_compact(value)):
        raise ValidationError(MOBILE_INVALID.format(value=value), code="mobile")


def validate_phone(value: str) -> None:
    if not PHONE_RE.fullmatch(value.strip()) or not any(ch.isdigit() for ch in value):
        raise ValidationError(PHONE_INVALID.format(value=value), code="phone")


def validate_qq(value: str) -> None:
    if not QQ_RE.fullmatch(value.strip()):
        raise ValidationError(QQ_INVALID.format(value=value), code="qq")


def validate_website(value: str) -> None:
    address = value.strip()
    if "://" not in address:
        address = f"http://{address}"
    try:
        URLValidator(schemes=["http", "https"])(address)
    except ValidationError:
        raise ValidationError(WEBSITE_INVALID.format(value=value), code="website") from None


def validate_not_future(value: date) -> None:
    if value and value > timezone.localdate():
        raise ValidationError(DATE_IN_FUTURE.format(value=value.isoformat()), code="future_date")


def account_codes_parse(text: str) -> list[str]:
    """The product form's account box: split on newline, ',' and '，', trim, drop empties, refuse repeats
    (A001 and a001 are the same account).

    The order of first appearance is kept, so the accounts are created in the order typed.
    """
    codes = [part.strip() for part in ACCOUNT_SEPARATORS.split(text or "")]
    codes = [code for code in codes if code]
    for code in codes:
        if len(code) > 64:
            raise ValidationError(ACCOUNT_TOO_LONG.format(code=code), code="account_too_long")
        if any(ch.isspace() for ch in code):
            raise ValidationError(ACCOUNT_BLANK_INSIDE.format(code=code), code="account_blank")
    # Case-insensitive, as MariaDB's collation compares the unique account codes.
    folded = [code.casefold() for code in codes]
    repeated = [code for i, code in enumerate(codes) if folded.count(folded[i]) > 1 and folded.index(folded[i]) == i]
    if repeated:
        raise ValidationError(ACCOUNT_DUPLICATE.format(codes="、".join(repeated)), code="account_duplicate")
    return codes
