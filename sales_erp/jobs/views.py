"""The workbench page that lists every periodic job with its schedule and last run, and runs one now."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from sales_erp.desk.views import DeskView
from sales_erp.jobs.selectors import jobs_overview
from sales_erp.jobs.services import UnknownJob, job_enqueue, job_get

RAN = "已运行: {description}。结果见下表。"
QUEUED = "已提交: {description}。后台任务进程马上开始运行，稍后刷新本页查看结果。"
RUN_FAILED = "运行失败: {description} ({error})。详情见运行记录。"


class AdminOnly(DeskView):
    def allowed(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_admin_role", False))


class JobListView(AdminOnly):
    template_name = "jobs/job_list.html"
    title = "任务运行"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["jobs"] = jobs_overview()
        return context


class JobRunNowView(AdminOnly):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, name: str) -> HttpResponse:
        try:
            job = job_get(name)
        except UnknownJob:
            raise Http404 from None
        try:
            job_enqueue(name=name)
        except Exception as exc:  # the run itself is recorded as FAILED; here the admin only needs to know
            messages.error(request, RUN_FAILED.format(description=job.description, error=exc))
        else:
            done = RAN if settings.CELERY_TASK_ALWAYS_EAGER else QUEUED
            messages.success(request, done.format(description=job.description))
        return redirect("jobs:list")
