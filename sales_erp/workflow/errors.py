"""Why the engine refuses an action. Every message is a constant tests assert on and says what to do."""

from __future__ import annotations

from typing import Any

# The loser of a race (two handlers on one task, a double click, a stale page) gets this, on every database.
ALREADY_HANDLED = "已处理：该待办已被处理或流程已变化，请刷新页面查看最新状态"
NOT_HANDLER = "您不是当前节点的处理人，不能办理此流程"
NOT_RUNNING = "流程当前状态为「{status}」，不能{action}"
ONLY_INITIATOR = "只有发起人可以{action}"
WITHDRAW_ARCHIVED = "流程已归档，不能撤回"
WITHDRAW_TWICE = "流程已撤回，无需再次撤回"
RESUBMIT_NOT_REJECTED = "只有已驳回的流程可以重新提交，当前状态为「{status}」"
UNKNOWN_PROCESS = "流程「{code}」不存在或已停用，请管理员在管理工作台检查流程定义"
NO_NODES = "流程「{name}」没有任何审批节点，请管理员在管理工作台添加节点"
NO_HANDLER = "节点「{node}」找不到处理人，请管理员在管理工作台为该节点配置审批人"
FORM_INVALID = "表单填写有误：{errors}"
TARGET_REQUIRED = "流程「{name}」须从{target}页面发起"
TARGET_WRONG = "流程「{name}」的对象须是{target}，收到的是 {got}"
SEND_BACK_TARGET = "只能退回到当前节点之前的节点（第 1 至第 {last} 个节点），收到第 {got} 个"
TRANSFER_SELF = "不能转办给自己"
ALREADY_HANDLER = "{user} 已是当前节点的处理人"
INACTIVE_USER = "{user} 已停用，不能成为处理人"
REMIND_TOO_SOON = "{minutes} 分钟内已催办过，请稍后再试"
NOTHING_TO_REMIND = "当前没有待处理的人，无需催办"
ATTACHMENTS_TOO_LARGE = "附件总大小 {total} 超过每个流程 100 MB 的上限（已有 {existing}，本次 {adding}），请删减后重试"
ATTACHMENT_NOT_ALLOWED = "流程当前状态为「{status}」，只有发起人和当前处理人可以上传附件"
FORM_NOT_EDITABLE = "当前节点不允许修改表单"


class ProcessRefused(Exception):
    """An action the engine (or a process's effect) refuses; nothing of the action is kept.

    Domain effects raise it with a sentence saying what to fix: `raise ProcessRefused("账单已对账，不能重复对账")`.
    `code` lets callers tell a race (ALREADY_HANDLED) from other refusals without parsing text.
    """

    def __init__(self, message: str, *, code: str = "refused", errors: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.errors = errors or {}

    def __str__(self) -> str:
        return self.message


def already_handled() -> ProcessRefused:
    return ProcessRefused(ALREADY_HANDLED, code="already_handled")
