"""The customer portal's pages (/portal/) and the desk page where sales open portal logins.

Every portal page runs through PortalView.dispatch: not logged in → the portal's login page; a desk
(staff) user → a polite refusal pointing to the desk; otherwise the page sees only `self.customer`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.generic import TemplateView
from unfold.widgets import UnfoldAdminEmailInputWidget, UnfoldAdminTextInputWidget

from sales_erp.billing.models import BillStatus
from sales_erp.customers.models import Customer
from sales_erp.customers.selectors import customer_page_url, customers_visible_to
from sales_erp.desk.views import DeskView
from sales_erp.org.models import User
from sales_erp.portal import selectors
from sales_erp.portal.models import PortalAccount
from sales_erp.portal.services import (
    PortalRefused,
    portal_account_create,
    portal_account_may_create,
    portal_account_set_active,
    portal_customer_count_enter,
)
from sales_erp.reconciliation.selectors import bill_statement_line
from sales_erp.statements.documents import StatementRefused, statement_pdf
from sales_erp.statements.usage_report import report_file_name_for, usage_report_pdf, usage_report_xlsx

DESK_USER_REFUSED = "您登录的是公司内部（桌面）账号。客户门户只供客户的员工使用，请从桌面办理业务。"
NOT_PORTAL_LOGIN = "该账号不是客户门户账号。公司员工请从桌面登录。"


# ------------------------------------------------------------------------------------ portal pages
class PortalView(TemplateView):
    section = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        customer = selectors.portal_customer_of(request.user)
        if customer is None:
            return render(request, "portal/refused.html", {"message": DESK_USER_REFUSED}, status=403)
        self.customer: Customer = customer
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(customer=self.customer, section=self.section)
        return context


class HomeView(PortalView):
    template_name = "portal/home.html"
    section = "home"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["summary"] = selectors.portal_bills_summary(customer=self.customer)
        context["bills"] = selectors.portal_bills(customer=self.customer)[:5]
        return context


class BillListView(PortalView):
    template_name = "portal/bills.html"
    section = "bills"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        bills = selectors.portal_bills(customer=self.customer)
        status = self.request.GET.get("status", "")
        if status in BillStatus.values:
            bills = bills.filter(status=status)
        page = Paginator(bills, 20).get_page(self.request.GET.get("page"))
        context.update(page=page, bills=page.object_list, status=status, statuses=BillStatus.choices)
        return context


class BillDetailView(PortalView):
    template_name = "portal/bill.html"
    section = "bills"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        bill = selectors.portal_bill(customer=self.customer, pk=kwargs["pk"])
        if bill is None:
            raise Http404
        context.update(
            bill=bill,
            open_amount=bill.amount - bill.written_off_amount,
            count_open=bill.status in COUNT_OPEN,
        )
        return context


class DepositListView(PortalView):
    template_name = "portal/deposits.html"
    section = "deposits"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = Paginator(selectors.portal_deposits(customer=self.customer), 20).get_page(self.request.GET.get("page"))
        context.update(page=page, deposits=page.object_list)
        return context


class UsageView(PortalView):
    """发送量: one month's billable counts per day and account (?month=YYYY-MM; default the latest)."""

    template_name = "portal/usage.html"
    section = "usage"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        months = selectors.portal_usage_months(customer=self.customer)
        wanted = self.request.GET.get("month", "")
        month = next((m for m in months if f"{m:%Y-%m}" == wanted), months[0] if months else None)
        usage = selectors.portal_usage_month(customer=self.customer, month=month) if month else None
        context.update(months=months, month=month, usage=usage)
        return context


# ------------------------------------------------------------------------------- login and password
class PortalAuthenticationForm(AuthenticationForm):
    """Only portal logins sign in here; a desk user is told to use the desk (and is not logged in)."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if selectors.portal_customer_of(user) is None:
            raise forms.ValidationError(NOT_PORTAL_LOGIN, code="not_portal")


class PortalPasswordResetForm(PasswordResetForm):
    """Reset mails go to portal logins only, also to one whose password was never set (a new login)."""

    def get_users(self, email: str):
        return User.objects.filter(
            email__iexact=email, is_active=True, is_staff=False, portal_account__isnull=False
        ).iterator()


class LoginView(auth_views.LoginView):
    template_name = "portal/registration/login.html"
    authentication_form = PortalAuthenticationForm
    redirect_authenticated_user = False

    def get_default_redirect_url(self) -> str:
        return reverse("portal:home")


class LogoutView(auth_views.LogoutView):
    def get_default_redirect_url(self) -> str:
        return reverse("portal:login")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "portal/registration/password_change.html"
    success_url = reverse_lazy("portal:password_change_done")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        if selectors.portal_customer_of(request.user) is None:
            return render(request, "portal/refused.html", {"message": DESK_USER_REFUSED}, status=403)
        return super().dispatch(request, *args, **kwargs)


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "portal/registration/message.html"
    extra_context = {"title": "密码已修改", "text": "您的新密码已生效。", "link": reverse_lazy("portal:home")}


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "portal/registration/password_reset.html"
    form_class = PortalPasswordResetForm
    email_template_name = "portal/registration/password_reset_email.txt"
    subject_template_name = "portal/registration/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "portal/registration/message.html"
    extra_context = {
        "title": "邮件已发送",
        "text": "如果该邮箱属于客户门户账号，重设密码的链接已发到这个邮箱，请查收。",
        "link": reverse_lazy("portal:login"),
    }


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/registration/password_reset_confirm.html"
    success_url = reverse_lazy("portal:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "portal/registration/message.html"
    extra_context = {"title": "密码已设置", "text": "请用新密码登录。", "link": reverse_lazy("portal:login")}


# ---------------------------------------------------------------------------- desk: portal logins
class PortalAccountForm(forms.Form):
    username = forms.CharField(label="登录名", max_length=150, widget=UnfoldAdminTextInputWidget)
    name = forms.CharField(label="姓名", max_length=150, widget=UnfoldAdminTextInputWidget)
    email = forms.EmailField(label="邮箱", help_text="设置密码的链接会发到这个邮箱", widget=UnfoldAdminEmailInputWidget)


class PortalAccountsView(DeskView):
    """A customer's portal logins: list, 新建 (mails the set-password link), 停用/启用."""

    template_name = "portal/desk_accounts.html"

    def allowed(self, request: HttpRequest) -> bool:
        self.customer = get_object_or_404(customers_visible_to(self.user), pk=self.kwargs["pk"])
        return portal_account_may_create(user=self.user, customer=self.customer)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", PortalAccountForm())
        context.update(
            title=f"客户门户账号：{self.customer.name}",
            customer=self.customer,
            customer_url=customer_page_url(self.customer),
            accounts=selectors.portal_accounts_of(customer=self.customer),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "toggle" in request.POST:
            toggle = request.POST["toggle"].strip()
            if not toggle.isdigit():
                raise Http404
            account = get_object_or_404(PortalAccount, pk=int(toggle), customer=self.customer)
            portal_account_set_active(account=account, active=not account.user.is_active, by=self.user)
            state = "启用" if account.user.is_active else "停用"
            messages.success(request, f"门户账号 {account.user.username} 已{state}。")
            return redirect(request.path)
        form = PortalAccountForm(request.POST)
        if form.is_valid():
            try:
                account = portal_account_create(
                    customer=self.customer,
                    created_by=self.user,
                    base_url=request.build_absolute_uri("/"),
                    **form.cleaned_data,
                )
            except PortalRefused as refusal:
                form.add_error(refusal.field, refusal.message)
            else:
                messages.success(
                    request, f"门户账号 {account.user.username} 已开通，设置密码的链接已发到 {account.user.email}。"
                )
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def customer_portal_panel(*, customer: Customer, user: User) -> dict[str, Any] | None:
    """The 客户门户账号 panel of a customer's page (hooks.CUSTOMER_PAGE_PANELS), for who may open logins."""
    if not portal_account_may_create(user=user, customer=customer):
        return None
    return {
        "title": "客户门户账号",
        "template": "portal/customer_portal_panel.html",
        "accounts": list(selectors.portal_accounts_of(customer=customer)),
        "manage_url": reverse("portal_desk:accounts", args=[customer.pk]),
    }


# ------------------------------------------------------- 对账单, 数据分析报告, 客户数据, 发票, 销账, 预付余额
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NO_BILLS_CHOSEN = "请至少选择一张账单"
COUNT_OPEN = (BillStatus.ISSUED,)  # as the desk's reconciliation page: 对账中 travels with its process
COUNT_BAD = "客户数据须是不小于 0 的整数"


class BillPickView(PortalView):
    """对账单 / 数据分析报告: tick some of the company's bills and download (or preview) the document."""

    template_name = "portal/documents.html"
    section = "statements"
    title = "对账单"
    intro = "勾选账单，下载或预览电子对账单（PDF），其中列出我司数据、客户数据与对账数据。"
    download_url = "portal:statement_file"
    formats: tuple[str, ...] = ("pdf",)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = Paginator(selectors.portal_bills(customer=self.customer), 50).get_page(self.request.GET.get("page"))
        context.update(
            page=page,
            bills=page.object_list,
            title=self.title,
            intro=self.intro,
            action=reverse(self.download_url),
            formats=self.formats,
        )
        return context


class StatementsView(BillPickView):
    pass


class ReportsView(BillPickView):
    section = "reports"
    title = "数据分析报告"
    intro = "勾选账单，下载所选账单月份的发送量分析报告：PDF 含图表，Excel 含每日与账号明细。"
    download_url = "portal:report_file"
    formats = ("pdf", "xlsx")


class DocumentFileView(PortalView):
    """The file of the ticked bills (?bills=<id>…); any bill not the company's → 404."""

    kind = "statement"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            bill_ids = [int(value) for value in request.GET.getlist("bills")]
        except ValueError:
            raise Http404 from None
        back = "portal:statements" if self.kind == "statement" else "portal:reports"
        if not bill_ids:
            messages.error(request, NO_BILLS_CHOSEN)
            return redirect(back)
        bills = selectors.portal_bills_chosen(customer=self.customer, bill_ids=bill_ids)
        if bills is None:
            raise Http404
        fmt = request.GET.get("format", "pdf")
        today = timezone.localdate()
        if self.kind == "statement":
            try:
                data = statement_pdf(
                    entity=None, customer=self.customer, lines=[bill_statement_line(b) for b in bills], issued_on=today
                )
            except StatementRefused as refusal:
                messages.error(request, str(refusal))
                return redirect(back)
            name, content_type = f"电子对账单-{self.customer.name}-{today:%Y%m%d}.pdf", PDF
        elif fmt == "xlsx":
            data, content_type = usage_report_xlsx(customer=self.customer, bills=bills), XLSX
            name = report_file_name_for(customer=self.customer, bills=bills, extension="xlsx")
        else:
            data, content_type = usage_report_pdf(customer=self.customer, bills=bills), PDF
            name = report_file_name_for(customer=self.customer, bills=bills, extension="pdf")
        inline = request.GET.get("inline") == "1" and content_type == PDF
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(not inline, name) or "attachment"
        return response


class CustomerCountView(PortalView):
    """客户数据: the company types its own count of a 未对账 bill (POST from the bill page)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        bill = selectors.portal_bill(customer=self.customer, pk=kwargs["pk"])
        if bill is None:
            raise Http404
        raw = request.POST.get("customer_count", "").strip()
        try:
            count = int(raw) if raw else None
        except ValueError:
            messages.error(request, f"{COUNT_BAD}，「{raw}」不行")
            return redirect("portal:bill", pk=bill.pk)
        try:
            portal_customer_count_enter(customer=self.customer, bill=bill, count=count, user=request.user)  # type: ignore[arg-type]
        except PortalRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, "客户数据已保存。" if count is not None else "客户数据已清除。")
        return redirect("portal:bill", pk=bill.pk)


class InvoiceListView(PortalView):
    template_name = "portal/invoices.html"
    section = "invoices"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = Paginator(selectors.portal_invoices(customer=self.customer), 20).get_page(self.request.GET.get("page"))
        context.update(page=page, invoices=page.object_list)
        return context


class InvoiceDetailView(PortalView):
    template_name = "portal/invoice.html"
    section = "invoices"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        invoice = selectors.portal_invoice(customer=self.customer, pk=kwargs["pk"])
        if invoice is None:
            raise Http404
        context["invoice"] = invoice
        return context


class WriteOffListView(PortalView):
    template_name = "portal/write_offs.html"
    section = "write_offs"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = Paginator(selectors.portal_write_offs(customer=self.customer), 20).get_page(self.request.GET.get("page"))
        context.update(page=page, write_offs=page.object_list)
        return context


class WriteOffDetailView(PortalView):
    template_name = "portal/write_off.html"
    section = "write_offs"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        write_off = selectors.portal_write_off(customer=self.customer, pk=kwargs["pk"])
        if write_off is None:
            raise Http404
        context["write_off"] = write_off
        return context


class PrepaidView(PortalView):
    template_name = "portal/prepaid.html"
    section = "prepaid"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["accounts"] = selectors.portal_prepaid(customer=self.customer)
        return context
