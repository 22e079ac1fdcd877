"""Desk pages of the reports: /desk/reports/ (the list) and /desk/reports/<code>/ (?format=xlsx|csv)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from sales_erp.desk.views import DeskView
from sales_erp.reports.framework import Report
from sales_erp.reports.reports import REPORTS


def reports_for(user: Any) -> list[Report]:
    return [r for r in (cls(user=user, data=None) for cls in REPORTS.values()) if r.allowed()]


class ReportListView(DeskView):
    title = "报表"
    template_name = "reports/list.html"

    def allowed(self, request: HttpRequest) -> bool:
        self.reports = reports_for(self.user)
        return bool(self.reports)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["reports"] = [
            {"title": r.title, "description": r.description, "url": reverse("reports:report", args=[r.code])}
            for r in self.reports
        ]
        return context


class ReportView(DeskView):
    template_name = "reports/report.html"

    def allowed(self, request: HttpRequest) -> bool:
        cls = REPORTS.get(self.kwargs["code"])
        if cls is None:
            return False
        self.report = cls(user=self.user, data=request.GET)
        return self.report.allowed()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        export = request.GET.get("format")
        if export == "xlsx":
            return self.report.xlsx()
        if export == "csv":
            return self.report.csv()
        if export:
            raise Http404
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        report = self.report
        rows = report.rows()
        totals = report.totals(rows)
        page = Paginator(rows, report.per_page).get_page(self.request.GET.get("page"))
        columns = report.columns
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("format", None)

        def url(**extra: str) -> str:
            q = query.copy()
            for key, value in extra.items():
                q[key] = value
            return f"?{q.urlencode()}"

        context.update(
            title=report.title,
            report=report,
            form=report.form,
            headers=[{"header": c.header, "numeric": c.kind in ("int", "money", "percent")} for c in columns],
            rows=[[(c.text(row.get(c.key)), c.kind) for c in columns] for row in page.object_list],
            totals=[(c.text(totals.get(c.key)), c.kind) for c in columns] if totals else None,
            page=page,
            page_url=lambda n: url(page=str(n)),
            prev_url=url(page=str(page.previous_page_number())) if page.has_previous() else "",
            next_url=url(page=str(page.next_page_number())) if page.has_next() else "",
            xlsx_url=url(format="xlsx"),
            csv_url=url(format="csv"),
        )
        return context
