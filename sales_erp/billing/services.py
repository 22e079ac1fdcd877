"""Writes on usage and bills: the usage import (file and API), the monthly bill run, "生成账单", and the
bill status transitions.

Usage is keyed by account code + day + carrier + country. A re-import of the same file changes nothing;
a re-import that carries different counts for a key replaces that key's counts (the platform corrected
its figures); keys absent from the new file are kept. An import is all-or-nothing: one bad row refuses
the whole file, with every bad row named.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, QuerySet
from django.urls import reverse
from django.utils import timezone

from sales_erp import bulk
from sales_erp.billing.models import (
    BILL_TRANSITIONS,
    Bill,
    BillLine,
    BillLineTier,
    BillRun,
    BillStatus,
    NoBillCode,
    NoBillReason,
    UsageImport,
    UsageImportSource,
    UsageRecord,
)
from sales_erp.billing.rating import NoBill, Rated, month_end, product_month_rate
from sales_erp.billing.selectors import ProductMonth, code_key, product_months_load, unmatched_usage
from sales_erp.billing.usage_rows import (
    ACCOUNT,
    BILLABLE,
    CARRIER,
    COLUMN_ALIASES,
    COUNTRY,
    DAY,
    NO_ROWS,
    REQUIRED_COLUMNS,
    SUBMITTED,
    SUCCEEDED,
    ParseState,
    StoredRow,
    UnmatchedCode,
    duplicates_confirm,
    usage_rows_parse,
)
from sales_erp.customers.models import Account, BillType, Product
from sales_erp.desk.tabular import TableFileError, row_number_of, table_open
from sales_erp.jobs.checkpoint import job_checkpoint
from sales_erp.messaging.models import MessageKind
from sales_erp.messaging.services import message_send
from sales_erp.org.models import User

DUPLICATE_UNNAMED = (
    "文件中有重复的行（同一账号、日期、运营商、国家/地区；账号仅大小写或空格不同也算重复），请合并后再导入"
)
BILLED_MONTH = "{month} 已有 {count} 张未对账的账单：账单不随发送量自动更新，需要时请在账单页“重新生成账单”"
MAX_LISTED_ERRORS = 200
MORE_ERRORS = "…… 另有 {count} 处错误未列出，请先改正以上各行"
STORE_CHUNK = 5000

# Column order of the rows the API pushes, so they pass through the same checks as a file's rows.
API_COLUMNS = {DAY: 0, ACCOUNT: 1, CARRIER: 2, SUBMITTED: 3, SUCCEEDED: 4, BILLABLE: 5, COUNTRY: 6}


class UsageRejected(Exception):
    """The whole import is refused; `errors` names every row to fix. Nothing was stored."""

    def __init__(self, errors: list[str]) -> None:
        shown = errors[:MAX_LISTED_ERRORS]
        if len(errors) > MAX_LISTED_ERRORS:
            shown.append(MORE_ERRORS.format(count=len(errors) - MAX_LISTED_ERRORS))
        super().__init__("\n".join(shown))
        self.errors = shown


@dataclass
class UsageImportResult:
    rows: int
    created: int
    updated: int
    unchanged: int
    months: list[str]
    unmatched: list[UnmatchedCode]
    dry_run: bool = False
    record: UsageImport | None = None
    same_file_before: UsageImport | None = None
    warnings: list[str] = field(default_factory=list)


def usage_import(*, data: bytes, name: str, user: User | None, dry_run: bool = False) -> UsageImportResult:
    """Import the platform's usage export (CSV or XLSX). `dry_run` checks and counts, then keeps nothing."""
    digest = hashlib.sha256(data).hexdigest()

    def rows() -> tuple[dict[str, int], Iterator[tuple[int, Sequence[Any]]]]:
        try:
            table = table_open(data=data, name=name, required=REQUIRED_COLUMNS, aliases=COLUMN_ALIASES)
        except TableFileError as exc:
            raise UsageRejected([str(exc)]) from None
        return table.columns, table.rows

    same_file_before = UsageImport.objects.filter(digest=digest).order_by("-imported_at").first()
    result = usage_store(rows=rows, source=UsageImportSource.FILE, name=name, digest=digest, user=user, dry_run=dry_run)
    result.same_file_before = same_file_before
    return result


def usage_push(*, rows: Iterable[dict[str, Any]], user: User | None) -> UsageImportResult:
    """The same rows pushed through the API (keys: day, account, carrier, submitted, succeeded, billable,
    country); the same checks and the same idempotency as a file. Row numbers count from 1."""
    cells = [
        (
            number,
            [row.get(k) for k in ("day", "account", "carrier", "submitted", "succeeded", "billable", "country")],
        )
        for number, row in enumerate(rows, start=1)
    ]
    return usage_store(
        rows=lambda: (API_COLUMNS, iter(cells)), source=UsageImportSource.API, name="", digest="", user=user
    )


def accounts_by_code() -> dict[str, int]:
    """Account ids by code as typed and case-folded: the platform's `a8560` is account A8560 on either
    database (MariaDB compares codes without case anyway; SQLite would not)."""
    codes: dict[str, int] = {}
    for code, pk in Account.objects.values_list("code", "pk"):
        codes.setdefault(code.casefold(), pk)
        codes[code] = pk
    return codes


def usage_store(
    *,
    rows: Callable[[], tuple[dict[str, int], Iterator[tuple[int, Sequence[Any]]]]],
    source: str,
    name: str,
    digest: str,
    user: User | None,
    dry_run: bool = False,
) -> UsageImportResult:
    """Parse and store in one transaction, streaming; any bad row rolls everything back."""
    state = ParseState()
    with transaction.atomic():
        columns, source_rows = rows()
        before = UsageRecord.objects.aggregate(top=Max("pk"))["top"] or 0
        parsed = usage_rows_parse(source_rows, columns=columns, accounts=accounts_by_code(), state=state)
        written, collided = 0, False
        fresh: dict[str, bool] = {}  # month → no usage of it was stored before this import
        while chunk := list(islice(parsed, STORE_CHUNK)):
            if state.errors or collided:
                continue  # after the first bad row, only read on to name every other one
            for month in {row[3] for row in chunk} - fresh.keys():
                fresh[month] = not UsageRecord.objects.filter(month=month, pk__lte=before).exists()
            # A month nobody imported before cannot collide with stored keys: a plain insert does, at
            # about half the cost of an upsert. A repeat inside the file still hits the unique key.
            insert_only = all(fresh[row[3]] for row in chunk)
            try:
                with transaction.atomic():
                    written += usage_rows_upsert(chunk, insert_only=insert_only)
            except IntegrityError:
                collided = True
        if state.suspects:
            columns, again = rows()
            state.errors.extend(duplicates_confirm(again, columns=columns, suspects=state.suspects))
        if collided and not state.errors:
            state.errors.append(DUPLICATE_UNNAMED)
        if not state.errors and not state.rows:
            state.errors.append(NO_ROWS)
        if state.errors:
            raise UsageRejected(sorted(state.errors, key=row_number_of))
        created = UsageRecord.objects.filter(pk__gt=before).count()
        # SQLite counts a changed row once and an unchanged one not at all; MariaDB (with Django's
        # FOUND_ROWS flag) counts an insert once, a changed row twice and an unchanged row once.
        updated = written - created if connection.vendor == "sqlite" else written - state.rows
        unmatched = sorted(state.unmatched.values(), key=lambda u: -u.billable)
        result = UsageImportResult(
            rows=state.rows,
            created=created,
            updated=updated,
            unchanged=state.rows - created - updated,
            months=sorted(state.months),
            unmatched=unmatched,
            dry_run=dry_run,
            warnings=billed_months_warnings(months=sorted(state.months)) if created or updated else [],
        )
        if dry_run:
            transaction.set_rollback(True)
            return result
        result.record = UsageImport.objects.create(
            source=source,
            file_name=name[:200],
            digest=digest,
            imported_by=user,
            rows=result.rows,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            months=result.months,
            unmatched=[{"code": u.code, "rows": u.rows, "billable": u.billable} for u in unmatched],
        )
    return result


def billed_months_warnings(*, months: list[str]) -> list[str]:
    """Usage changed in a month that already has bills: the bills keep their figures until regenerated."""
    warnings = []
    for month in months:
        issued = Bill.objects.filter(period=month, status=BillStatus.ISSUED).count()
        if issued:
            warnings.append(BILLED_MONTH.format(month=month[:7], count=issued))
    return warnings


def usage_rows_upsert(rows: list[StoredRow], *, insert_only: bool = False) -> int:
    """Insert new keys, replace the counts of changed ones, leave equal ones alone; returns the driver's
    affected-row count (see usage_store for what it means on each database). `insert_only` when no key
    can exist yet."""
    table = UsageRecord._meta.db_table
    columns = "account_code, account_id, day, month, carrier, country, submitted, succeeded, billable"
    values = ", ".join(["%s"] * 9)
    if insert_only:
        sql = f"INSERT INTO {table} ({columns}) VALUES ({values})"
    elif connection.vendor == "sqlite":
        sql = (
            f"INSERT INTO {table} ({columns}) VALUES ({values}) "
            "ON CONFLICT (account_code, day, carrier, country) DO UPDATE SET "
            "account_id = excluded.account_id, submitted = excluded.submitted, "
            "succeeded = excluded.succeeded, billable = excluded.billable "
            f"WHERE {table}.account_id IS NOT excluded.account_id OR {table}.submitted != excluded.submitted "
            f"OR {table}.succeeded != excluded.succeeded OR {table}.billable != excluded.billable"
        )
    else:
        sql = (
            f"INSERT INTO {table} ({columns}) VALUES ({values}) ON DUPLICATE KEY UPDATE "
            "account_id = VALUES(account_id), submitted = VALUES(submitted), "
            "succeeded = VALUES(succeeded), billable = VALUES(billable)"
        )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
        return max(cursor.rowcount, 0)


def usage_accounts_relink(*, month: date) -> int:
    """Usage that arrived before its account existed: attach it now that the code matches an account."""
    unmatched = UsageRecord.objects.filter(month=month, account__isnull=True)
    codes = set(unmatched.values_list("account_code", flat=True).distinct())
    if not codes:
        return 0
    accounts = accounts_by_code()
    linked = 0
    for code in codes:
        account_id = accounts.get(code) or accounts.get(code.casefold())
        if account_id is not None:
            linked += unmatched.filter(account_code=code).update(account_id=account_id)
    return linked


# ------------------------------------------------------------------------------------------ bills
MONTH_NOT_OVER = "{month} 尚未结束，不能出账单"
MONTH_INVALID = "月份 '{value}' 无法识别，请写成 2026-10"
BILL_LOCKED = "账单 {name} 为「{status}」，只有未对账的账单可以重新生成"
NO_BILL = "{product} {month} 未能出账单：{reason}（{detail}）"
TRANSITION_REFUSED = "账单 {name} 当前为「{current}」，不能改为「{target}」"
REASONS_MESSAGE_TITLE = "{month} 有 {count} 个产品未出账单"
ACCOUNT_NONE = "产品没有填写账号"
ACCOUNT_MISTYPED = "发送量中的账号 {found} 与产品账号 {codes} 写法不一致，请核对产品账号"


class BillRefused(Exception):
    """A refused bill action; `code` is stable for callers, the message says what to fix."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def month_parse(value: date | str) -> date:
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value).strip()
    try:
        return date.fromisoformat(f"{text}-01" if len(text) == 7 else text).replace(day=1)
    except ValueError:
        raise BillRefused(MONTH_INVALID.format(value=value), code="bill.month") from None


def month_add(period: date, months: int) -> date:
    index = period.year * 12 + period.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def bill_dates(*, period: date, bill_day: int, payment_term_months: int) -> tuple[date, date]:
    """October's bill is dated on the product's bill day in November; due that day + the payment term.
    Bill days stop at 28, so no month-end clamping arises (DESIGN §4)."""
    bill_date = month_add(period, 1).replace(day=bill_day)
    return bill_date, month_add(bill_date.replace(day=1), payment_term_months).replace(day=bill_day)


def bill_name(*, period: date, product: ProductMonth) -> str:
    codes = list(product.account_codes.values())
    return f"账单-{period:%Y-%m}-{codes[0] if len(codes) == 1 else product.code}"


def no_usage_refine(product: ProductMonth, outcome: Rated | NoBill, unmatched_keys: dict[str, str]) -> NoBill | Rated:
    """No usage because the product's account was typed differently from the platform's: say so."""
    if not isinstance(outcome, NoBill) or outcome.code != NoBillCode.NO_USAGE:
        return outcome
    if not product.account_codes:
        return NoBill(NoBillCode.ACCOUNT_ERROR, ACCOUNT_NONE)
    keys = {code_key(code) for code in product.account_codes.values()}
    found = sorted(unmatched_keys[key] for key in keys if key in unmatched_keys)
    if found:
        codes = "、".join(sorted(product.account_codes.values()))
        return NoBill(NoBillCode.ACCOUNT_ERROR, ACCOUNT_MISTYPED.format(found="、".join(found), codes=codes))
    return outcome


def products_rate(*, products: QuerySet[Product], period: date) -> list[tuple[ProductMonth, Rated | NoBill]]:
    usage_accounts_relink(month=period)
    unmatched_keys = {code_key(str(row["code"])): str(row["code"]) for row in unmatched_usage(period=period)}
    outcomes = []
    for product in product_months_load(products=products, period=period):
        outcome = product_month_rate(
            period=period,
            intl=product.intl,
            account_codes=product.account_codes,
            schedules=product.schedules,
            usage=product.usage,
        )
        outcomes.append((product, no_usage_refine(product, outcome, unmatched_keys)))
    return outcomes


def bill_lines_create(pairs: list[tuple[int, Rated]], *, lines_of: QuerySet[BillLine]) -> None:
    """The lines of freshly made bills (bill id, figures), then their tier breakdown."""
    bulk.dicts_insert(
        BillLine,
        (
            {
                "bill_id": bill_id,
                "account_id": line.account_id,
                "carrier": line.carrier,
                "country": line.country,
                "count": line.count,
                "unit_price": line.unit_price,
                "amount": line.amount,
            }
            for bill_id, rated in pairs
            for line in rated.lines
        ),
    )
    line_ids = {
        (bill_id, account_id, carrier, country): pk
        for pk, bill_id, account_id, carrier, country in lines_of.values_list(
            "pk", "bill_id", "account_id", "carrier", "country"
        )
    }
    bulk.dicts_insert(
        BillLineTier,
        (
            {
                "line_id": line_ids[(bill_id, line.account_id, line.carrier, line.country)],
                "schedule_id": tier.schedule_id,
                "lower": tier.lower,
                "upper": tier.upper,
                "count": tier.count,
                "price": tier.price,
                "amount": tier.amount,
            }
            for bill_id, rated in pairs
            for line in rated.lines
            for tier in line.tiers
        ),
    )


def reasons_record(
    *, period: date, run: BillRun | None, no_bills: list[tuple[ProductMonth, NoBill]], billed: Iterable[int]
) -> list[tuple[ProductMonth, NoBill]]:
    """Keep one reason per product-month without a bill; returns those that are new or changed."""
    existing = {r.product_id: r for r in NoBillReason.objects.filter(period=period)}
    fresh, changed, news = [], [], []
    for product, outcome in no_bills:
        reason = existing.get(product.pk)
        if reason is None:
            fresh.append(
                NoBillReason(
                    product_id=product.pk,
                    customer_id=product.customer_id,
                    period=period,
                    code=outcome.code,
                    detail=outcome.detail,
                    bill_run=run,
                )
            )
            news.append((product, outcome))
        elif (reason.code, reason.detail) != (outcome.code, outcome.detail):
            if reason.code != outcome.code:
                news.append((product, outcome))
            reason.code, reason.detail, reason.bill_run = outcome.code, outcome.detail, run
            changed.append(reason)
    NoBillReason.objects.bulk_create(fresh, batch_size=2000)
    NoBillReason.objects.bulk_update(changed, ["code", "detail", "bill_run", "checked_at"], batch_size=2000)
    gone = [pk for pk in billed if pk in existing]
    for start in range(0, len(gone), 2000):
        NoBillReason.objects.filter(period=period, product_id__in=gone[start : start + 2000]).delete()
    return news


def reasons_notify(*, period: date, news: list[tuple[ProductMonth, NoBill]]) -> None:
    """One message per salesperson per run, listing their products that got no bill (not one per product)."""
    by_owner: dict[int, list[str]] = defaultdict(list)
    for product, outcome in news:
        if product.owner_id is not None:
            by_owner[product.owner_id].append(
                f"{product.customer_name} · {product.name}（{product.code}）：{outcome.reason}，{outcome.detail}"
            )
    owners = User.objects.in_bulk(list(by_owner))
    link = reverse("admin:billing_nobillreason_changelist") + f"?period__exact={period:%Y-%m-%d}"
    for owner_id, lines in by_owner.items():
        message_send(
            recipients=[owners.get(owner_id)],
            kind=MessageKind.BILLING,
            title=REASONS_MESSAGE_TITLE.format(month=f"{period:%Y-%m}", count=len(lines)),
            body="\n".join(lines),
            link=link,
        )


def due_bill_day_limit(*, today: date, period: date) -> int:
    """The highest bill day whose bill date for `period` has come by `today` (0: none yet)."""
    issue_month = month_add(period, 1)
    if today < issue_month:
        return 0
    if today >= month_add(issue_month, 1):
        return 28
    return today.day


@transaction.atomic
def bill_run(*, day: date | None = None, month: date | str | None = None, user: User | None = None) -> dict[str, Any]:
    """每月自动出账单: bill every 自动 product whose bill day has come, for the month before `day`
    (or for `month`). Idempotent: a product-month that has a bill is never billed again here; the
    others get a bill, or a reason that says why not."""
    today = day or timezone.localdate()
    period = month_parse(month) if month else month_add(today.replace(day=1), -1)
    limit = due_bill_day_limit(today=today, period=period)
    run = BillRun.objects.create(month=period, run_day=today, triggered_by=user)
    due = Product.objects.filter(bill_type=BillType.AUTO, bill_day__lte=limit)
    billed_before = Bill.objects.filter(period=period, product__in=due.values("pk")).count()
    to_bill = due.exclude(pk__in=Bill.objects.filter(period=period).values("product_id"))
    outcomes = products_rate(products=to_bill, period=period)
    now = timezone.now()
    bills: list[dict[str, Any]] = []
    rated_by_product: dict[int, Rated] = {}
    no_bills: list[tuple[ProductMonth, NoBill]] = []
    for product, outcome in outcomes:
        if isinstance(outcome, NoBill):
            no_bills.append((product, outcome))
            continue
        bill_date, due_date = bill_dates(
            period=period, bill_day=product.bill_day, payment_term_months=product.payment_term_months
        )
        bills.append(
            {
                "name": bill_name(period=period, product=product),
                "product_id": product.pk,
                "customer_id": product.customer_id,
                "period": period,
                "bill_date": bill_date,
                "due_date": due_date,
                "count": outcome.count,
                "amount": outcome.amount,
                "generated_at": now,
                "generated_by_id": user.pk if user else None,
                "bill_run_id": run.pk,
            }
        )
        rated_by_product[product.pk] = outcome
    bulk.dicts_insert(Bill, bills)
    bill_ids = dict(Bill.objects.filter(bill_run=run).values_list("product_id", "pk"))
    history = {"history_date": now, "history_type": "+", "history_user_id": user.pk if user else None}
    bulk.dicts_insert(Bill.history.model, ({**bill, "id": bill_ids[bill["product_id"]], **history} for bill in bills))
    bill_lines_create(
        [(bill_ids[pk], rated) for pk, rated in rated_by_product.items()],
        lines_of=BillLine.objects.filter(bill__bill_run=run),
    )
    job_checkpoint("bill_run")  # bills and lines written, reasons and the run's report not yet
    news = reasons_record(period=period, run=run, no_bills=no_bills, billed=list(rated_by_product))
    reasons_notify(period=period, news=news)
    unmatched = unmatched_usage(period=period)
    run.due_count = billed_before + len(outcomes)
    run.billed_count, run.no_bill_count, run.existing_count = len(bills), len(no_bills), billed_before
    run.finished_at = timezone.now()
    run.report = {
        "month": f"{period:%Y-%m}",
        "billed_amount": str(sum((bill["amount"] for bill in bills), Decimal("0.00"))),
        "no_bill": [
            {
                "product": product.code,
                "name": product.name,
                "customer": product.customer_name,
                "code": outcome.code,
                "reason": outcome.reason,
                "detail": outcome.detail,
            }
            for product, outcome in no_bills
        ],
        "unmatched": unmatched[:UNMATCHED_LISTED],
        "unmatched_total": len(unmatched),
    }
    run.save(update_fields=["due_count", "billed_count", "no_bill_count", "existing_count", "finished_at", "report"])
    return {
        "run": run.pk,
        "month": f"{period:%Y-%m}",
        "due": run.due_count,
        "billed": run.billed_count,
        "no_bill": run.no_bill_count,
        "existing": run.existing_count,
    }


UNMATCHED_LISTED = 200


def bill_generate(*, product: Product, period: date | str, user: User | None) -> Bill:
    """ "生成账单": (re)generate one product's bill for one month, manual or automatic, while it is not
    reconciled. Refused with the reason when the product cannot be billed (the reason is kept)."""
    period = month_parse(period)
    if month_end(period) >= timezone.localdate():
        raise BillRefused(MONTH_NOT_OVER.format(month=f"{period:%Y-%m}"), code="bill.month_not_over")
    with transaction.atomic():
        Product.objects.select_for_update().get(pk=product.pk)
        bill = Bill.objects.select_for_update().filter(product=product, period=period).first()
        if bill is not None and bill.status != BillStatus.ISSUED:
            raise BillRefused(BILL_LOCKED.format(name=bill.name, status=bill.get_status_display()), code="bill.locked")
        [(loaded, outcome)] = products_rate(products=Product.objects.filter(pk=product.pk), period=period)
        if isinstance(outcome, NoBill):
            reasons_record(period=period, run=None, no_bills=[(loaded, outcome)], billed=[])
        else:
            bill = bill_store(bill=bill, loaded=loaded, rated=outcome, period=period, user=user)
            NoBillReason.objects.filter(product=product, period=period).delete()
    if isinstance(outcome, NoBill):
        raise BillRefused(
            NO_BILL.format(product=product.code, month=f"{period:%Y-%m}", reason=outcome.reason, detail=outcome.detail),
            code=f"bill.{outcome.code}",
        )
    assert bill is not None
    return bill


def bill_store(*, bill: Bill | None, loaded: ProductMonth, rated: Rated, period: date, user: User | None) -> Bill:
    bill_date, due_date = bill_dates(
        period=period, bill_day=loaded.bill_day, payment_term_months=loaded.payment_term_months
    )
    fields = {
        "name": bill_name(period=period, product=loaded),
        "bill_date": bill_date,
        "due_date": due_date,
        "count": rated.count,
        "amount": rated.amount,
        "generated_at": timezone.now(),
        "generated_by": user,
    }
    if bill is None:
        bill = Bill(product_id=loaded.pk, customer_id=loaded.customer_id, period=period, **fields)
        bill._history_user = user  # type: ignore[attr-defined]
        bill.save()
    else:
        BillLine.objects.filter(bill=bill).delete()
        for name, value in fields.items():
            setattr(bill, name, value)
        bill._history_user = user  # type: ignore[attr-defined]
        bill.save(update_fields=list(fields))
    bill_lines_create([(bill.pk, rated)], lines_of=BillLine.objects.filter(bill=bill))
    return bill


@transaction.atomic
def bill_transition(*, bill: Bill, to: str, user: User | None) -> Bill:
    """The one door for a bill's status (reconciliation moves bills through it)."""
    bill = Bill.objects.select_for_update().get(pk=bill.pk)
    if to not in BILL_TRANSITIONS[bill.status]:
        raise BillRefused(
            TRANSITION_REFUSED.format(name=bill.name, current=bill.get_status_display(), target=BillStatus(to).label),
            code="bill.transition_refused",
        )
    bill.status = to
    bill._history_user = user  # type: ignore[attr-defined]
    bill.save(update_fields=["status"])
    return bill


@transaction.atomic
def bills_due_date_recompute(
    *, product: Product, payment_term_months: int, user: User | None, reason: str
) -> list[Bill]:
    """A product's payment term changed (账期更改流程 archived): every bill of it not fully written off is due
    its bill date plus the new term — the rule a new or regenerated bill follows — so interest counts from
    the agreed day ("通过后，在允许的账期内就都不会进行罚息了"). Fully written-off bills keep their dates.
    Each moved bill's history records who, when and `reason`. Returns the bills that moved."""
    moved = []
    bills = Bill.objects.select_for_update().filter(product=product, written_off_amount__lt=F("amount"))
    for bill in bills.order_by("period"):
        due = month_add(bill.bill_date.replace(day=1), payment_term_months).replace(day=bill.bill_date.day)
        if due == bill.due_date:
            continue
        bill.due_date = due
        bill._history_user = user  # type: ignore[attr-defined]
        bill._change_reason = reason[:100]  # type: ignore[attr-defined]
        bill.save(update_fields=["due_date"])
        moved.append(bill)
    return moved
