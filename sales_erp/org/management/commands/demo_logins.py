from django.core.management.base import BaseCommand

from sales_erp.org.roles import Role
from sales_erp.org.services import DEMO_PASSWORD, DEMO_STAFF


class Command(BaseCommand):
    help = "Print the demo login of every role."

    def handle(self, *args, **options):
        self.stdout.write("")
        self.stdout.write(f"Sales ERP 桌面: http://127.0.0.1:8000/   演示账号 (密码 / password: {DEMO_PASSWORD})")
        for demo in DEMO_STAFF:
            roles = "、".join(Role(r).label for r in demo.roles)
            self.stdout.write(f"  {demo.username:<12} {roles} ({demo.name})")
        from sales_erp.portal.services import DEMO_PORTAL_CUSTOMER, DEMO_PORTAL_USERNAME

        self.stdout.write(f"客户门户: http://127.0.0.1:8000/portal/   {DEMO_PORTAL_USERNAME} ({DEMO_PORTAL_CUSTOMER})")
        self.stdout.write("接口文档: http://127.0.0.1:8000/api/docs/")
        self.stdout.write("")
