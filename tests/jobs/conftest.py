import pytest

from sales_erp import hooks

CALLS: list[dict] = []


def counting_job(**params):
    CALLS.append(params)
    return {"counted": len(CALLS)}


def failing_job(**params):
    raise ValueError("第 3 行: 金额 'abc' 不是数字")


def stopped_job(**params):
    raise KeyboardInterrupt


@pytest.fixture
def jobs_registered(monkeypatch):
    """Three jobs of this module instead of the real ones, so a test knows exactly what runs."""
    CALLS.clear()
    jobs = {
        "counting": hooks.PeriodicJob(function=f"{__name__}.counting_job", crontab="0 2 1 * *", description="计数任务"),
        "failing": hooks.PeriodicJob(function=f"{__name__}.failing_job", crontab="0 3 * * *", description="出错任务"),
        "stopped": hooks.PeriodicJob(function=f"{__name__}.stopped_job", crontab="0 4 * * *", description="被停任务"),
    }
    monkeypatch.setattr(hooks, "PERIODIC_JOBS", jobs)
    return CALLS
