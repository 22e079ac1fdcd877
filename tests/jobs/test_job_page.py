"""管理工作台 → 任务运行: every periodic job with its schedule and last run, and 立即运行 for admins."""

import pytest

from sales_erp.jobs.models import JobRun
from sales_erp.jobs.selectors import jobs_overview
from sales_erp.jobs.services import schedules_sync
from sales_erp.org.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/desk/jobs/"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory.create(username="t_admin", roles=[Role.ADMIN]))
    return client


def test_page_lists_every_job_with_schedule_and_last_run(admin_client, jobs_registered):
    schedules_sync()
    JobRun.objects.create(name="failing", status=JobRun.Status.FAILED, error="ValueError('第 3 行')")

    page = admin_client.get(PAGE)

    assert page.status_code == 200
    rows = {row.name: row for row in page.context["jobs"]}
    assert list(rows) == ["counting", "failing", "stopped"]
    assert rows["counting"].last_run is None
    assert rows["counting"].schedule_text == "在 02:00, 每月的 1 号 (0 2 1 * *)"
    assert rows["failing"].last_run.status == JobRun.Status.FAILED
    html = page.content.decode()
    for text in ("计数任务", "从未运行", "出错任务", "失败", "第 3 行", "立即运行", "运行记录"):
        assert text in html


def test_run_now_runs_the_job_and_says_so(admin_client, jobs_registered):
    response = admin_client.post(f"{PAGE}counting/run/", follow=True)

    assert response.redirect_chain == [(PAGE, 302)]
    assert jobs_registered == [{}]
    run = JobRun.objects.get(name="counting")
    assert (run.status, run.report) == (JobRun.Status.DONE, {"counted": 1})
    assert "已运行: 计数任务。结果见下表。" in response.content.decode()


def test_run_now_of_a_failing_job_shows_the_error_and_records_it(admin_client, jobs_registered):
    response = admin_client.post(f"{PAGE}failing/run/", follow=True)

    assert response.status_code == 200
    assert "运行失败: 出错任务 (第 3 行: 金额 &#x27;abc&#x27; 不是数字)。详情见运行记录。" in response.content.decode()
    assert JobRun.objects.get(name="failing").status == JobRun.Status.FAILED


def test_unknown_job_is_404_and_runs_nothing(admin_client, jobs_registered):
    assert admin_client.post(f"{PAGE}nope/run/").status_code == 404
    assert JobRun.objects.count() == 0


def test_run_now_is_post_only(admin_client, jobs_registered):
    assert admin_client.get(f"{PAGE}counting/run/").status_code == 405
    assert JobRun.objects.count() == 0


@pytest.mark.parametrize("role", [Role.SALES, Role.FINANCE, Role.SALES_DIRECTOR])
def test_other_roles_get_404_and_cannot_run(client, jobs_registered, role):
    client.force_login(UserFactory.create(username=f"t_{role}", roles=[role]))
    assert client.get(PAGE).status_code == 404
    assert client.post(f"{PAGE}counting/run/").status_code == 404
    assert JobRun.objects.count() == 0
    assert jobs_registered == []


def test_overview_takes_two_queries_whatever_the_number_of_runs(jobs_registered, django_assert_num_queries):
    schedules_sync()
    for name in ("counting", "failing", "stopped", "counting"):
        JobRun.objects.create(name=name, status=JobRun.Status.DONE)
    with django_assert_num_queries(2):
        rows = jobs_overview()
        assert [row.last_run is not None for row in rows] == [True, True, True]


def test_schedule_and_run_record_pages_render_in_the_desk(admin_client, jobs_registered):
    schedules_sync()
    JobRun.objects.create(name="counting", status=JobRun.Status.DONE, report={"counted": 1})
    changelist = admin_client.get("/desk/django_celery_beat/periodictask/")
    assert changelist.status_code == 200
    assert "计数任务" in changelist.content.decode()
    runs = admin_client.get("/desk/jobs/jobrun/?name=counting")
    assert runs.status_code == 200
    assert "/desk/jobs/jobrun/add/" not in runs.content.decode(), "run records are written by runs only"
