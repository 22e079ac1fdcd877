"""The message centre (DESIGN §7): unread first, read last; filter by type, read state, date; open = read."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from sales_erp.desk.forms import desk_widget_style
from sales_erp.desk.views import DeskView
from sales_erp.messaging.models import Message, MessageKind
from sales_erp.messaging.selectors import MessageFilter, messages_for, unread_count
from sales_erp.messaging.services import messages_mark_read


class MessageFilterForm(forms.Form):
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部"), *MessageKind.choices])
    state = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), ("unread", "未读"), ("read", "已读")]
    )
    date_from = forms.DateField(label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        desk_widget_style(self)

    def filters(self) -> MessageFilter:
        return MessageFilter(**self.cleaned_data) if self.is_valid() else MessageFilter()


class MessageListView(DeskView):
    template_name = "messaging/messages.html"
    title = "消息中心"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = MessageFilterForm(self.request.GET or None)
        rows = messages_for(self.user, form.filters())
        context = super().get_context_data(**kwargs)
        context.update(
            form=form,
            page=Paginator(rows, 50).get_page(self.request.GET.get("page")),
            unread=unread_count(self.user),
            query="&".join(f"{k}={v}" for k, v in self.request.GET.items() if k != "page"),
        )
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        ids = [int(i) for i in request.POST.getlist("message") if i.isdigit()]
        messages_mark_read(user=self.user, ids=None if request.POST.get("all") else ids)
        return redirect(request.get_full_path())


class MessageOpenView(DeskView):
    """Opening a message marks it read and leads to its object."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        message = Message.objects.filter(pk=pk, recipient=self.user).first()
        if message is None:
            raise Http404
        messages_mark_read(user=self.user, ids=[message.pk])
        if message.link and url_has_allowed_host_and_scheme(message.link, allowed_hosts={request.get_host()}):
            return redirect(message.link)
        return redirect("messaging:list")
