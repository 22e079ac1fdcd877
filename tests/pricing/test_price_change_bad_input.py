"""Malformed price-change posts (a hand-made or mistyped form): a 400 naming what to fix, never a 500,
and nothing is started."""

from __future__ import annotations

import pytest

from sales_erp.workflow.models import ProcessInstance, Status
from tests.pricing.test_price_change_process import form, people, product, start_url  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "overrides",
    [
        {"tiers_price": ["0.0450001", "0.040", "0.035"]},  # 7 places in a 6-place price
        {"tiers_price": ["1e30", "0.040", "0.035"]},
        {"tiers_price": ["9" * 40, "0.040", "0.035"]},
        {"tiers_price": ["abc", "0.040", "0.035"]},
        {"tiers_price": ["-0.04", "0.040", "0.035"]},
        {"tiers_lower": ["0", "1e30", "50000"]},
        {"tiers_upper": ["9" * 40, "50000", ""]},
        {"tiers_lower": ["x", "10000", "50000"]},
        {"million_ratio": "1e30"},
        {"province_ratio": "九十"},
        {"valid_from": "2026-02-30"},
        {"product": "abc"},
        {"product": "999999"},
        {"price_type": "nonsense"},
    ],
)
def test_bad_input_is_refused_and_nothing_starts(client, people, product, overrides):  # noqa: F811
    client.force_login(people["s1"])
    response = client.post(start_url(product), {**form(product), **overrides})
    assert response.status_code in (400, 200), response.status_code
    assert not ProcessInstance.objects.exclude(status=Status.DRAFT).exists()
