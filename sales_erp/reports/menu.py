"""The 报表 menu entries (imported by desk/navigation.py at settings time, so no model imports here).
tests/reports checks they match reports.REPORTS."""

from __future__ import annotations

# (code, title, icon, permission)
REPORT_MENU: list[tuple[str, str, str, str]] = [
    ("ageing", "应收账龄", "hourglass_bottom", "billing.view_bill"),
    ("bills", "账单月报", "calendar_month", "billing.view_bill"),
    ("commission", "销账与提成依据", "paid", "writeoffs.view_commission"),
    ("invoices", "开票统计", "request_quote", "invoicing.view_invoice"),
    ("interest", "计息罚息", "percent", "writeoffs.view_interestentry"),
    ("unmatched", "未匹配到款", "account_balance", "deposits.view_deposit"),
    ("funnel", "客户漏斗变动", "swap_vert", "customers.view_tierchange"),
]
