"""Writes on deposits (DESIGN §5.4): the bank statement import, matching deposits to customers, 销管
assigning a pool deposit by hand, the periodic retry, and the shipped statement layouts.

When a deposit becomes a customer's — matched on import, by the retry job, or assigned by 销管 — the
owner is told and every function of `hooks.DEPOSIT_MATCHED` runs with `deposit=`, in order, inside the
same transaction (the automatic write-off is one): an exception there undoes the match as well. An import
runs a function's set-based variant (`hooks.DEPOSIT_MATCHED_MANY`) once for the whole statement instead.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import yaml
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from sales_erp import bulk, hooks
from sales_erp.customers.models import Customer
from sales_erp.deposits.models import (
    DEPOSIT_TRANSITIONS,
    Deposit,
    DepositImport,
    DepositStatus,
    ImportProfile,
    PayerAlias,
    payer_key_of,
)
from sales_erp.deposits.selectors import payer_candidates
from sales_erp.deposits.statement_rows import CreditLine, profile_required_columns, statement_rows_parse
from sales_erp.desk.tabular import TableFileError, row_number_of, table_open
from sales_erp.jobs.checkpoint import job_checkpoint
from sales_erp.messaging.models import MessageKind
from sales_erp.messaging.services import message_send
from sales_erp.org.models import User

PROFILES_FILE = Path(__file__).resolve().parent / "fixtures" / "import_profiles.yaml"

REASON_ASSIGNED = "销管指定"
PROFILE_INACTIVE = "流水格式「{name}」已停用，请选择其他格式"
IMPORT_RACE = "同一流水正由他人同时导入，请稍后在到款池查看，不要重复导入"
NOT_UNMATCHED = "该到款已匹配给 {customer}，不能再指定"
TRANSITION_REFUSED = "到款状态不能从「{from_}」变为「{to}」"
MAX_LISTED_ERRORS = 200
MORE_ERRORS = "…… 另有 {count} 处错误未列出，请先改正以上各行"
BULK_BATCH = 500

MATCHED_ONE_TITLE = "到款已匹配：{customer} {amount} 元"
MATCHED_ONE_BODY = "{day} {payer} 到款 {amount} 元，已匹配到您的客户 {customer}（{reason}）。"
MATCHED_MANY_TITLE = "{count} 笔到款已匹配到您的客户"
MATCHED_MANY_LINE = "{day} {payer} {amount} 元 → {customer}（{reason}）"
MATCHED_MANY_MORE = "…… 另有 {count} 笔，见到款池"
MAX_LISTED_IN_MESSAGE = 100


class DepositRefused(Exception):
    """A deposit action is refused; nothing changed. `message` says what to do."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class DepositImportRejected(Exception):
    """The whole statement is refused; `errors` names every row to fix. Nothing was stored."""

    def __init__(self, errors: list[str]) -> None:
        errors = sorted(errors, key=row_number_of)
        shown = errors[:MAX_LISTED_ERRORS]
        if len(errors) > MAX_LISTED_ERRORS:
            shown.append(MORE_ERRORS.format(count=len(errors) - MAX_LISTED_ERRORS))
        super().__init__("\n".join(shown))
        self.errors = shown


@dataclass
class DepositImportResult:
    record: DepositImport  # record.deposits are the deposits this import added
    same_file_before: DepositImport | None = None


# ----------------------------------------------------------------------------------------- import
def deposit_import_key(*, profile: ImportProfile, line: CreditLine, occurrence: int) -> str:
    """What makes a statement line the same line when the statement comes again.

    The bank's serial number where the file has one (per layout: two banks may both count from 0001);
    else date + payer + amount + the line's occurrence among identical lines of the file, so two real
    identical payments in one statement are two deposits, and the statement again adds neither.
    """
    if line.serial:
        parts = [str(profile.pk), "serial", line.serial]
    else:
        parts = [str(profile.pk), "line", line.received_on.isoformat(), payer_key_of(line.payer)]
        parts += [f"{line.amount:.2f}", str(occurrence)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def deposits_import(*, data: bytes, name: str, profile: ImportProfile, user: User | None) -> DepositImportResult:
    """Import one bank statement (CSV or XLSX) read with `profile`: its credits become deposits, matched to
    customers where exactly one fits. All or nothing; the same statement again adds nothing."""
    if not profile.is_active:
        raise DepositImportRejected([PROFILE_INACTIVE.format(name=profile.name)])
    try:
        table = table_open(data=data, name=name, required=profile_required_columns(profile))
    except TableFileError as exc:
        raise DepositImportRejected([str(exc)]) from None
    parse = statement_rows_parse(table.rows, columns=table.columns, profile=profile)
    if parse.errors:
        raise DepositImportRejected(parse.errors)

    occurrences: Counter[tuple] = Counter()
    keyed: list[tuple[str, CreditLine]] = []
    for line in parse.credits:
        occurrence = 0
        if not line.serial:
            identity = (line.received_on, payer_key_of(line.payer), line.amount)
            occurrence = occurrences[identity]
            occurrences[identity] += 1
        keyed.append((deposit_import_key(profile=profile, line=line, occurrence=occurrence), line))

    digest = hashlib.sha256(data).hexdigest()
    same_file_before = DepositImport.objects.filter(digest=digest).order_by("-imported_at").first()
    try:
        with transaction.atomic():
            result = deposits_store(
                keyed=keyed, profile=profile, user=user, name=name, digest=digest, rows=parse.rows, debits=parse.debits
            )
    except IntegrityError:
        # Another import stored some of the same lines between our check and our insert.
        raise DepositImportRejected([IMPORT_RACE]) from None
    result.same_file_before = same_file_before
    return result


def deposits_store(
    *,
    keyed: Sequence[tuple[str, CreditLine]],
    profile: ImportProfile,
    user: User | None,
    name: str,
    digest: str,
    rows: int,
    debits: int,
) -> DepositImportResult:
    keys = [key for key, _ in keyed]
    existing: set[str] = set()
    for start in range(0, len(keys), BULK_BATCH):
        chunk = keys[start : start + BULK_BATCH]
        existing.update(
            key for key in Deposit.objects.filter(import_key__in=chunk).values_list("import_key", flat=True) if key
        )
    new = [(key, line) for key, line in keyed if key not in existing]
    record = DepositImport.objects.create(
        profile=profile,
        file_name=name[:200],
        digest=digest,
        imported_by=user,
        rows=rows,
        credits=len(keyed),
        debits=debits,
        already_imported=len(keyed) - len(new),
    )
    candidates = payer_candidates(keys={payer_key_of(line.payer) for _, line in new})
    decisions = {key: c.decision() for key, c in candidates.items()}
    decided_ids = {d[0] for d in decisions.values() if d}
    owner_of = dict(Customer.objects.filter(pk__in=decided_ids).values_list("pk", "owner_id"))
    now = timezone.now()
    rows_to_insert: list[dict[str, object]] = []
    matched_keys: set[str] = set()
    for key, line in new:
        payer_key = payer_key_of(line.payer)
        row: dict[str, object] = {
            "received_on": line.received_on,
            "received_time": line.received_time,
            "payer": line.payer,
            "payer_key": payer_key,
            "payer_account": line.payer_account,
            "amount": line.amount,
            "available": line.amount,
            "serial": line.serial,
            "summary": line.summary,
            "import_record_id": record.pk,
            "import_key": key,
            "status": DepositStatus.UNMATCHED.value,
        }
        decision = decisions.get(payer_key)
        if decision:
            row.update(
                customer_id=decision[0],
                match_reason=decision[1],
                salesperson_id=owner_of[decision[0]],
                status=DepositStatus.MATCHED.value,
                matched_at=now,
            )
            matched_keys.add(key)
        rows_to_insert.append(row)
    deposits_insert(rows=rows_to_insert, record=record, user=user, when=now)
    record.created, record.matched = len(rows_to_insert), len(matched_keys)
    record.total = sum((line.amount for _, line in new), Decimal("0.00"))
    record.save(update_fields=["created", "matched", "total"])
    matched = Deposit.objects.filter(import_record=record, status=DepositStatus.MATCHED).order_by("pk")
    deposits_matched_notify(matched=[MatchedDeposit(*row) for row in matched.values_list(*MATCHED_FIELDS)])
    deposits_matched_hooks_run_many(matched=matched)
    return DepositImportResult(record=record)


def deposits_insert(
    *, rows: Sequence[dict[str, object]], record: DepositImport, user: User | None, when: datetime
) -> None:
    """Insert the new deposits and their history rows in a few statements (an import may bring tens of
    thousands of lines; the ORM's per-value preparation would be most of the time)."""
    bulk.dicts_insert(Deposit, rows)
    bulk.history_copy(Deposit, when, where=("import_record_id", record.pk), user_id=user.pk if user else None)


# ---------------------------------------------------------------------------------------- matching
def deposit_transition(
    *, deposit: Deposit, to: str, customer: Customer, reason: str, user: User | None = None
) -> Deposit:
    """The one place a deposit's status changes (DEPOSIT_TRANSITIONS); the caller holds the row lock."""
    if to not in DEPOSIT_TRANSITIONS[deposit.status]:
        raise DepositRefused(
            TRANSITION_REFUSED.format(from_=DepositStatus(deposit.status).label, to=DepositStatus(to).label),
            code="transition",
        )
    deposit.status = to
    deposit.customer = customer
    deposit.salesperson_id = customer.owner_id
    deposit.match_reason = reason[:100]
    deposit.matched_at = timezone.now()
    deposit.matched_by = user
    deposit._history_user = user  # type: ignore[attr-defined]  # simple_history records who
    deposit.save(update_fields=["status", "customer", "salesperson", "match_reason", "matched_at", "matched_by"])
    return deposit


@dataclass(frozen=True)
class MatchedDeposit:
    """What the owner's notice says about a newly matched deposit."""

    pk: int
    received_on: date
    payer: str
    amount: Decimal
    customer_id: int | None
    salesperson_id: int | None
    match_reason: str


MATCHED_FIELDS = ("pk", "received_on", "payer", "amount", "customer_id", "salesperson_id", "match_reason")


def matched_of(deposit: Deposit) -> MatchedDeposit:
    return MatchedDeposit(*(getattr(deposit, name) for name in MATCHED_FIELDS))


def deposits_matched(*, deposits: Sequence[Deposit]) -> None:
    """What follows a match, for deposits matched one at a time: the owner's notice, then the hooks."""
    deposits_matched_notify(matched=[matched_of(deposit) for deposit in deposits])
    deposits_matched_hooks_run(deposits=deposits)


def deposits_matched_hooks_run(*, deposits: Iterable[Deposit]) -> None:
    """hooks.DEPOSIT_MATCHED for each deposit, in order, inside the caller's transaction."""
    functions = [import_string(path) for path in hooks.DEPOSIT_MATCHED]
    if not functions:
        return
    # All loaded first: the functions write to these very rows (a write-off lowers `available`), which an
    # open cursor over the table must not see on SQLite.
    for deposit in list(deposits):
        for function in functions:
            function(deposit=deposit)


def deposits_matched_hooks_run_many(*, matched: QuerySet[Deposit]) -> None:
    """hooks.DEPOSIT_MATCHED for a whole statement's matches, inside the caller's transaction: a function
    with a set-based variant (hooks.DEPOSIT_MATCHED_MANY) is called once with all the deposits; a run of
    functions without one is called deposit by deposit, in order, as deposits_matched_hooks_run does."""
    ids = list(matched.order_by("pk").values_list("pk", flat=True))
    if not ids:
        return
    plain: list[str] = []
    for path in [*hooks.DEPOSIT_MATCHED, ""]:
        many = hooks.DEPOSIT_MATCHED_MANY.get(path)
        if path and not many:
            plain.append(path)
            continue
        if plain:
            functions = [import_string(name) for name in plain]
            # A list, not a cursor: the functions write to these rows (see deposits_matched_hooks_run).
            for deposit in list(Deposit.objects.filter(pk__in=ids).order_by("pk")):
                for function in functions:
                    function(deposit=deposit)
            plain = []
        if many:
            import_string(many)(deposits=[Deposit(pk=pk) for pk in ids])


def deposits_matched_notify(*, matched: Sequence[MatchedDeposit]) -> None:
    """Tell each owner about their customers' newly matched deposits: one message per owner."""
    if not matched:
        return
    ids = {deposit.customer_id for deposit in matched if deposit.customer_id}
    customers = dict(Customer.objects.filter(pk__in=ids).values_list("pk", "name"))
    owners = User.objects.in_bulk({deposit.salesperson_id for deposit in matched if deposit.salesperson_id})
    by_owner: dict[int, list[MatchedDeposit]] = defaultdict(list)
    for deposit in matched:
        if deposit.salesperson_id:
            by_owner[deposit.salesperson_id].append(deposit)
    for owner_id, theirs in by_owner.items():
        if len(theirs) == 1:
            fields = message_fields(theirs[0], customers)
            message_send(
                recipients=[owners.get(owner_id)],
                kind=MessageKind.FINANCE,
                title=MATCHED_ONE_TITLE.format(**fields),
                body=MATCHED_ONE_BODY.format(**fields),
                target=Deposit(pk=theirs[0].pk),
                link=reverse("deposits:detail", args=[theirs[0].pk]),
            )
            continue
        lines = [MATCHED_MANY_LINE.format(**message_fields(d, customers)) for d in theirs[:MAX_LISTED_IN_MESSAGE]]
        if len(theirs) > MAX_LISTED_IN_MESSAGE:
            lines.append(MATCHED_MANY_MORE.format(count=len(theirs) - MAX_LISTED_IN_MESSAGE))
        message_send(
            recipients=[owners.get(owner_id)],
            kind=MessageKind.FINANCE,
            title=MATCHED_MANY_TITLE.format(count=len(theirs)),
            body="\n".join(lines),
            link=reverse("deposits:pool") + "?status=matched",
        )


def message_fields(deposit: MatchedDeposit, customers: dict[int, str]) -> dict[str, str]:
    return {
        "day": f"{deposit.received_on:%Y-%m-%d}",
        "payer": deposit.payer,
        "amount": f"{deposit.amount:,.2f}",
        "customer": customers.get(deposit.customer_id, "") if deposit.customer_id else "",
        "reason": deposit.match_reason,
    }


def deposit_match(*, deposit: Deposit) -> bool:
    """Match one unmatched deposit if exactly one customer fits its payer now. True when it matched."""
    with transaction.atomic():
        locked = Deposit.objects.select_for_update().get(pk=deposit.pk)
        if locked.status != DepositStatus.UNMATCHED or not locked.payer_key:
            return False
        candidates = payer_candidates(keys=[locked.payer_key]).get(locked.payer_key)
        decision = candidates.decision() if candidates else None
        if decision is None:
            return False
        customer = Customer.objects.get(pk=decision[0])
        deposit_transition(deposit=locked, to=DepositStatus.MATCHED, customer=customer, reason=decision[1])
        deposits_matched(deposits=[locked])
    deposit.refresh_from_db()
    return True


def deposits_match() -> dict[str, int]:
    """Periodic job: try every unmatched deposit again (a customer or invoice title may have been added
    since, or 销管 recorded an alias). Idempotent: a deposit that still fits no single customer stays put."""
    pool = list(
        Deposit.objects.filter(status=DepositStatus.UNMATCHED).exclude(payer_key="").values_list("pk", "payer_key")
    )
    candidates = payer_candidates(keys={key for _, key in pool})
    matched = 0
    for pk, key in pool:
        if key in candidates and candidates[key].decision() is not None:
            matched += deposit_match(deposit=Deposit(pk=pk))
            job_checkpoint("deposits_match")  # after each deposit (its match and write-off committed)
    return {"checked": len(pool), "matched": matched}


def deposit_assign(*, deposit: Deposit, customer: Customer, user: User) -> Deposit:
    """销管 gives a pool deposit to a customer (and so to its salesperson): the payer name is recorded as the
    customer's alias (the next deposit from it matches by itself), the same flow as an automatic match
    runs, and other pool deposits from the same payer follow."""
    with transaction.atomic():
        locked = Deposit.objects.select_for_update().get(pk=deposit.pk)
        if locked.status != DepositStatus.UNMATCHED:
            holder = Customer.objects.filter(pk=locked.customer_id or 0).values_list("name", flat=True).first()
            raise DepositRefused(NOT_UNMATCHED.format(customer=holder or "其他客户"), code="matched")
        deposit_transition(
            deposit=locked, to=DepositStatus.MATCHED, customer=customer, reason=REASON_ASSIGNED, user=user
        )
        if locked.payer_key:
            alias = PayerAlias.objects.filter(payer_key=locked.payer_key).first() or PayerAlias(payer=locked.payer)
            alias.customer, alias.created_by = customer, user
            alias._history_user = user  # type: ignore[attr-defined]
            alias.save()
        deposits_matched(deposits=[locked])
        if locked.payer_key:
            for other in Deposit.objects.filter(status=DepositStatus.UNMATCHED, payer_key=locked.payer_key):
                deposit_match(deposit=other)
    deposit.refresh_from_db()
    return deposit


# ------------------------------------------------------------------------------------------ setup
@transaction.atomic
def import_profiles_load_defaults() -> list[str]:
    """Setup step: the statement layouts that ship with the system, created when their code is missing.
    A layout that exists is left exactly as finance edited it. Returns the codes created."""
    data = yaml.safe_load(PROFILES_FILE.read_text(encoding="utf-8"))
    created = []
    for spec in data["profiles"]:
        if ImportProfile.objects.filter(code=spec["code"]).exists():
            continue
        ImportProfile.objects.create(**spec)
        created.append(spec["code"])
    return created
