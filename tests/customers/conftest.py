from __future__ import annotations

import pytest

from sales_erp.org.models import User
from tests.factories import sales_team


@pytest.fixture
def team(db) -> dict[str, User]:
    """director > leader > sales1, sales2 (tests.factories.sales_team)."""
    return sales_team()
