from celery import shared_task

from sales_erp.jobs.services import job_run


@shared_task(name="sales_erp.jobs.tasks.run_periodic_job")
def run_periodic_job(name: str, **params: str) -> int:
    return job_run(name=name, **params).pk
