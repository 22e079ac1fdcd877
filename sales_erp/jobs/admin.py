"""The workbench's job pages: django-celery-beat's schedules in the desk's look, and the run records.

django-celery-beat registers its admin classes on plain django.contrib.admin; they are registered
again here on unfold's ModelAdmin (unfold's documented recipe), keeping their forms and actions.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, IntervalSchedule, PeriodicTask, SolarSchedule
from unfold.admin import ModelAdmin
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextInputWidget

from sales_erp.jobs.models import JobRun

for model in (PeriodicTask, IntervalSchedule, CrontabSchedule, SolarSchedule, ClockedSchedule):
    admin.site.unregister(model)


class TaskSelectWidget(UnfoldAdminSelectWidget, beat_admin.TaskSelectWidget):
    pass


class PeriodicTaskForm(beat_admin.PeriodicTaskForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].widget = UnfoldAdminTextInputWidget()
        self.fields["regtask"].widget = TaskSelectWidget()


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(beat_admin.PeriodicTaskAdmin, ModelAdmin):
    form = PeriodicTaskForm
    list_display = ("name", "description", "enabled", "crontab", "last_run_at", "total_run_count")
    list_filter = ["enabled"]


@admin.register(CrontabSchedule)
class CrontabScheduleAdmin(beat_admin.CrontabScheduleAdmin, ModelAdmin):
    pass


@admin.register(IntervalSchedule)
class IntervalScheduleAdmin(ModelAdmin):
    pass


@admin.register(SolarSchedule)
class SolarScheduleAdmin(ModelAdmin):
    pass


@admin.register(ClockedSchedule)
class ClockedScheduleAdmin(beat_admin.ClockedScheduleAdmin, ModelAdmin):
    pass


@admin.register(JobRun)
class JobRunAdmin(ModelAdmin):
    """Read-only: a run record is written by the run itself and nobody else."""

    list_display = ("name", "status", "started_at", "finished_at", "took", "host", "pid", "report", "error")
    list_filter = ("name", "status")
    date_hierarchy = "started_at"
    list_per_page = 50
    list_fullwidth = True

    @admin.display(description="用时")
    def took(self, obj: JobRun) -> str:
        return obj.duration_text

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: JobRun | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: JobRun | None = None) -> bool:
        return False
