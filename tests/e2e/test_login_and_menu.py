"""Every demo role logs in through the real login page and sees the menu groups of its role."""

import pytest
from playwright.sync_api import Page

from sales_erp.org.roles import Role
from sales_erp.org.services import DEMO_STAFF

# 管理工作台 is the admins' alone (DESIGN §8); every member of staff has the desk's home.
EVERYONE_SEES = {"首页"}
ADMIN_ONLY = {"管理工作台"}
# Entries of the workbench group this test vouches for; other apps add theirs next to them.
WORKBENCH_ITEMS = {"用户", "内部部门", "角色", "定时任务", "任务运行", "运行记录"}


def menu_groups(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        "#nav-sidebar-apps h2", "headings => headings.map(h => h.firstChild.textContent.trim())"
    )


@pytest.mark.parametrize("demo", DEMO_STAFF, ids=lambda demo: demo.username)
def test_every_demo_role_logs_in_and_sees_its_menu(page, login_as, shot, demo):
    login_as(demo.username, shot=shot)

    groups = set(menu_groups(page))
    assert groups >= EVERYONE_SEES
    if Role.ADMIN in demo.roles:
        assert groups >= ADMIN_ONLY
    else:
        assert not groups & ADMIN_ONLY, f"{demo.username} must not see the workbench"
    assert page.inner_text("#content h1") == f"你好，{demo.name}"
    shot("desk")


def test_the_admin_opens_the_workbench_group(page, login_as, shot):
    login_as("admin")

    page.click("#nav-sidebar-apps h2:has-text('管理工作台')")

    group = page.locator("#nav-sidebar-apps div:has(> h2:has-text('管理工作台')) ol a")
    group.first.wait_for(state="visible")
    # Each entry reads "<icon name>\n<label>": the icon is a ligature of the symbol font.
    assert {text.strip().splitlines()[-1].strip() for text in group.all_inner_texts()} >= WORKBENCH_ITEMS
    shot("workbench-open")
