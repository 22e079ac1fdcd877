"""manage.py company_generate: a company at scale for benchmarks (sales_erp.ops.generate)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sales_erp.customers.models import Customer
from sales_erp.ops.generate import company_generate


class Command(BaseCommand):
    help = (
        "Generate a company at scale: salespeople with leaders, customers across the five tiers with invoice"
        " titles, contacts and contact logs, products priced by uniform/stage/graduated schedules, accounts,"
        " months of usage, the bills of those months (the real bill run) and unmatched deposits. Only for an"
        " empty database: it refuses one that already holds customers (a benchmark's or a load test's own)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, required=True)
        parser.add_argument("--months", type=int, default=10, help="months of usage and bills, up to last month")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        if Customer.objects.exists():
            raise CommandError("数据库里已有客户：生成数据只用于空数据库 (例如基准测试的临时数据库)")
        started = time.perf_counter()
        result = company_generate(customers=options["customers"], months=options["months"], seed=options["seed"])
        self.stdout.write(f"{result} in {time.perf_counter() - started:.0f} s")
