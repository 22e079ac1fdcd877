"""Crash safety of the periodic jobs (issue 9): bill run, interest run and deposit matching (with the
automatic write-off it starts) are killed half-way — a real SIGKILL of `manage.py run_job <name>` in a
subprocess on the test database — and run again; the result equals one clean run on identical data.

The kill point is deterministic: with ERP_JOB_PAUSE=<job>:<n> the job stops at its n-th
`job_checkpoint` (sales_erp/jobs/checkpoint.py, in the job's own code path, after it has written
something) and writes a file; the test waits for that file and kills the process. The data come from
the company generator (sales_erp/ops/generate.py) with a fixed seed, so "identical data" is the same
call again after a flush. Runs on SQLite and MariaDB.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from sales_erp.billing.models import Bill, BillLine, BillRun, BillStatus, NoBillReason
from sales_erp.customers.models import Account, Product
from sales_erp.deposits.models import Deposit
from sales_erp.jobs.models import JobRun
from sales_erp.jobs.services import job_run
from sales_erp.ops.generate import company_generate
from sales_erp.writeoffs.models import Allocation, InterestEntry, InterestKind, InterestRate, InterestRun, WriteOff
from tests.conftest import load_base_data

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 26)  # the generated months are 2026-08 … 2026-10


def company(*, bills: bool) -> None:
    company_generate(customers=150, months=3, seed=42, today=TODAY, bills=bills)
    InterestRate.objects.get_or_create(
        kind=InterestKind.PENALTY, effective_from=date(2026, 1, 1), defaults={"monthly_rate": Decimal("0.015")}
    )
    # Finance has reconciled the bills, so a matched deposit is written off against them automatically.
    Bill.objects.update(status=BillStatus.RECONCILED)


def again() -> None:
    """The same company on an empty database, for the clean run."""
    call_command("flush", interactive=False, verbosity=0)
    load_base_data()


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DB_NAME", "SQLITE_PATH", "ERP_JOB_PAUSE"))}
    name = str(connection.settings_dict["NAME"])  # the test database
    env.update(DB_NAME=name, SQLITE_PATH=name, PYTHONPATH=str(ROOT), SALES_ERP_MODE="embedded", **extra)
    return env


def run_job_command(name: str, *params: str, **env: str) -> subprocess.Popen[str]:
    connection.close()  # SQLite: no open transaction of ours in the way
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_job", name, *params],
        cwd=ROOT,
        env=subprocess_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def killed_half_way(name: str, *params: str, at: int, tmp_path: Path) -> None:
    """Start the job, wait until it stands at its `at`-th checkpoint, SIGKILL it."""
    marker = tmp_path / f"{name}.paused"
    process = run_job_command(name, *params, ERP_JOB_PAUSE=f"{name}:{at}", ERP_JOB_PAUSE_FILE=str(marker))
    deadline = time.monotonic() + 180
    while not marker.exists():
        if process.poll() is not None:
            pytest.fail(f"{name} ended before its checkpoint: {process.stdout.read() if process.stdout else ''}")
        assert time.monotonic() < deadline, f"{name} never reached checkpoint {at}"
        time.sleep(0.1)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    if process.stdout:
        process.stdout.close()


def rerun(name: str, *params: str) -> None:
    process = run_job_command(name, *params)
    out, _ = process.communicate(timeout=300)
    assert process.returncode == 0, out
    assert f"{name}: done" in out, out


def bills_state() -> dict[str, Any]:
    return {
        "bills": sorted(Bill.objects.values_list("product__code", "period", "name", "count", "amount", "due_date")),
        "lines": sorted(
            BillLine.objects.values_list(
                "bill__product__code", "bill__period", "account__code", "carrier", "count", "unit_price", "amount"
            )
        ),
        "no_bill": sorted(NoBillReason.objects.values_list("product__code", "period", "code")),
    }


def interest_state() -> dict[str, Any]:
    return {
        "entries": sorted(
            InterestEntry.objects.values_list("bill__name", "kind", "month", "days", "amount", "through")
        ),
    }


def deposits_state() -> dict[str, Any]:
    return {
        "deposits": sorted(Deposit.objects.values_list("serial", "status", "customer__name", "available")),
        "allocations": sorted(
            Allocation.objects.values_list("deposit__serial", "bill__name", "amount", "status", "posted_on")
        ),
        "write_offs_per_deposit": sorted(
            Counter(
                serial for serial, _ in set(Allocation.objects.values_list("deposit__serial", "write_off_id"))
            ).items()
        ),
        "bills_written_off": sorted(Bill.objects.values_list("name", "written_off_amount")),
    }


def job_runs_after_the_kill(name: str) -> list[str]:
    return list(JobRun.objects.filter(name=name).order_by("pk").values_list("status", flat=True))


def test_bill_run_killed_half_way_and_rerun_equals_one_clean_run(base_data, tmp_path):
    params = ("month=2026-10", "day=2026-11-28")
    company(bills=False)
    killed_half_way("bill_run", *params, at=1, tmp_path=tmp_path)
    assert Bill.objects.count() == 0, "the bill run is one transaction: the killed run left nothing"
    rerun("bill_run", *params)
    crashed = bills_state()
    assert job_runs_after_the_kill("bill_run") == ["interrupted", "done"]
    assert BillRun.objects.count() == 1

    again()
    company(bills=False)
    job_run(name="bill_run", month="2026-10", day=date(2026, 11, 28))
    clean = bills_state()
    products = Product.objects.count()
    assert products > 100 and len(clean["bills"]) == products, "every product billed once"
    assert len(clean["lines"]) == Account.objects.count(), "a line per account (one carrier each)"
    assert crashed == clean


def test_interest_run_killed_half_way_and_rerun_equals_one_clean_run(base_data, tmp_path):
    company(bills=True)
    killed_half_way("interest_run", "day=2026-12-31", at=1, tmp_path=tmp_path)
    assert InterestEntry.objects.count() == 0 and InterestRun.objects.count() == 0
    rerun("interest_run", "day=2026-12-31")
    crashed = interest_state()
    assert InterestRun.objects.count() == 1

    again()
    company(bills=True)
    job_run(name="interest_run", day=date(2026, 12, 31))
    clean = interest_state()
    assert len(clean["entries"]) > 100, "the bills of August to October accrue in several months"
    assert crashed == clean


def test_deposit_matching_killed_half_way_and_rerun_equals_one_clean_run(base_data, tmp_path):
    company(bills=True)
    deposits = Deposit.objects.count()
    assert deposits >= 6
    killed_half_way("deposits_match", at=3, tmp_path=tmp_path)
    assert Deposit.objects.filter(status="matched").count() == 3, "three deposits matched and committed"
    assert WriteOff.objects.count() == 3, "each with its automatic write-off"
    rerun("deposits_match")
    crashed = deposits_state()

    again()
    company(bills=True)
    job_run(name="deposits_match")
    clean = deposits_state()
    assert [d[1] for d in clean["deposits"]] == ["matched"] * deposits
    assert WriteOff.objects.count() == deposits, "one automatic write-off per deposit, none doubled"
    assert crashed == clean
