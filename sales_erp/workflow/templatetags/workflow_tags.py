"""Template helpers of the workflow pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.filter
def object_url(target: Any) -> str:
    """The desk page of a process's object (its admin change page), or "" when it has none."""
    if target is None:
        return ""
    try:
        return reverse(f"admin:{target._meta.app_label}_{target._meta.model_name}_change", args=[target.pk])
    except NoReverseMatch:
        return ""
