"""Invoices (开票, DESIGN §5.2, §5.3): what the bill_invoice and free_invoice processes issue.

An invoice is issued when its process is archived and never changed afterwards: it keeps a snapshot of
the customer's invoice title as it was then, so a title edited later does not rewrite issued invoices.
While a bill_invoice process runs, its amounts per bill are *reserved* (InvoiceReservation): a bill's
可开金额 is its amount − what is invoiced − what running processes reserve, so two processes running at
once cannot invoice the same money twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from sales_erp.billing.models import Bill
from sales_erp.customers.models import Customer, InvoiceKind, InvoiceTitle
from sales_erp.org.models import InvoicingEntity
from sales_erp.workflow.models import ProcessInstance


class InvoiceSource(models.TextChoices):
    BILL = "bill_invoice", "账单开票"
    FREE = "free_invoice", "无账单开票"


class Invoice(models.Model):
    """发票: one issued invoice request (one or more 开票金额, i.e. invoice slips) of one process."""

    number = models.CharField("发票编号", max_length=32, unique=True, null=True, blank=True)  # KP-2026-000123
    source = models.CharField("开票方式", max_length=16, choices=InvoiceSource.choices)
    customer = models.ForeignKey(Customer, verbose_name="客户", on_delete=models.PROTECT, related_name="invoices")
    entity = models.ForeignKey(
        InvoicingEntity, verbose_name="我司开票信息", on_delete=models.PROTECT, related_name="invoices"
    )
    invoice_type = models.CharField("发票类型", max_length=16, choices=InvoiceKind.choices)
    title = models.ForeignKey(
        InvoiceTitle,
        verbose_name="客户开票信息",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invoices",
        help_text="开票时的抬头；下面的抬头字段是开票时的快照",
    )
    title_company_name = models.CharField("抬头公司名称", max_length=200)
    title_tax_id = models.CharField("抬头税务号", max_length=18, blank=True)
    title_address = models.CharField("抬头公司地址", max_length=200, blank=True)
    title_phone = models.CharField("抬头联系电话", max_length=30, blank=True)
    title_bank = models.CharField("抬头开户银行", max_length=100, blank=True)
    title_bank_account = models.CharField("抬头银行账号", max_length=50, blank=True)
    amount = models.DecimalField("开票合计(元)", max_digits=14, decimal_places=2)
    amounts = models.JSONField("开票金额(元)", default=list)  # each 开票金额 as a string, in the order entered
    received_amount = models.DecimalField("已收金额(元)", max_digits=14, decimal_places=2)
    issued_on = models.DateField("开票日期", db_index=True)
    process = models.OneToOneField(
        ProcessInstance, verbose_name="流程", on_delete=models.PROTECT, related_name="invoice"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    remarks = models.TextField("备注", blank=True)
    issued_at = models.DateTimeField("归档时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "发票"
        verbose_name_plural = "发票登记簿"
        ordering = ["-issued_on", "-pk"]
        indexes = [models.Index(fields=["customer", "issued_on"])]

    def __str__(self) -> str:
        return self.number or f"发票 #{self.pk}"


class InvoiceBill(models.Model):
    """How much of one bill an invoice covers (该账单本次开票)."""

    invoice = models.ForeignKey(Invoice, verbose_name="发票", on_delete=models.CASCADE, related_name="lines")
    bill = models.ForeignKey(Bill, verbose_name="账单", on_delete=models.PROTECT, related_name="invoice_lines")
    amount = models.DecimalField("本次开票(元)", max_digits=14, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "发票账单"
        verbose_name_plural = "发票账单"
        constraints = [models.UniqueConstraint(fields=["invoice", "bill"], name="invoice_bill_once")]

    def __str__(self) -> str:
        return f"{self.bill.name} {self.amount}"


class InvoiceReservation(models.Model):
    """Money of a bill held by a running bill_invoice process; gone on archive, reject or withdraw."""

    process = models.ForeignKey(
        ProcessInstance, verbose_name="流程", on_delete=models.CASCADE, related_name="invoice_reservations"
    )
    bill = models.ForeignKey(Bill, verbose_name="账单", on_delete=models.CASCADE, related_name="invoice_reservations")
    amount = models.DecimalField("占用金额(元)", max_digits=14, decimal_places=2)
    created_at = models.DateTimeField("占用时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "开票占用"
        verbose_name_plural = "开票占用"
        constraints = [models.UniqueConstraint(fields=["process", "bill"], name="invoice_reservation_once")]

    def __str__(self) -> str:
        return f"{self.bill_id} {self.amount}"
