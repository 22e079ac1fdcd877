"""An admin runs a periodic job by hand from 管理工作台 → 任务运行 and sees its result."""

from sales_erp.jobs.models import JobRun


def test_admin_runs_a_job_now_from_the_workbench(page, login_as, shot):
    login_as("admin")
    page.click("#nav-sidebar-apps h2:has-text('管理工作台')")
    page.click("#nav-sidebar-apps a:has-text('任务运行')")
    page.wait_for_url("**/desk/jobs/")
    row = page.locator("tr[data-job='job_runs_prune']")
    assert "从未运行" in row.inner_text()
    shot("job-page")

    row.locator("button:has-text('立即运行')").click()

    page.wait_for_url("**/desk/jobs/")
    assert "已运行: 清理半年前的任务运行记录。结果见下表。" in page.inner_text("body")
    assert "完成" in row.inner_text() and "deleted: 0" in row.inner_text()
    shot("after-run")
    run = JobRun.objects.get(name="job_runs_prune")
    assert (run.status, run.report) == (JobRun.Status.DONE, {"deleted": 0})

    row.locator("a:has-text('运行记录')").click()
    page.wait_for_url("**/desk/jobs/jobrun/?name=job_runs_prune")
    assert page.locator("#result_list tbody tr").count() == 1
    shot("run-records")


def test_admin_edits_a_jobs_schedule_in_the_workbench(page, login_as, shot):
    login_as("admin")
    page.goto("/desk/jobs/")
    page.locator("tr[data-job='job_runs_prune'] a:has-text('03:30')").click()
    page.wait_for_url("**/desk/django_celery_beat/periodictask/*/change/")
    shot("schedule-form")

    page.uncheck("#id_enabled")
    page.click("button[name='_save']")

    page.wait_for_url("**/desk/django_celery_beat/periodictask/")
    shot("schedules")
    page.goto("/desk/jobs/")
    assert "已停用" in page.locator("tr[data-job='job_runs_prune']").inner_text()
    shot("job-page-disabled")
