"""HTML → PDF through WeasyPrint, with the CJK font of fonts.py embedded."""

from __future__ import annotations

import atexit
from functools import cache
from typing import Any

from sales_erp.statements.fonts import FONT_STACK, font_face_css


@cache
def _fonts() -> tuple[Any, Any]:
    """One FontConfiguration and base stylesheet per process: loading the @font-face copies (6 MB) costs
    a few tenths of a second, every render would pay it again."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    base = CSS(string=f"{font_face_css()}\nhtml {{ font-family: {FONT_STACK}; }}", font_config=font_config)
    return font_config, base


# Let the FontConfiguration go while modules still stand (its __del__ needs them at interpreter exit).
atexit.register(_fonts.cache_clear)


def html_to_pdf(html: str) -> bytes:
    """Render a complete HTML document (its <title> names the PDF); the page gets the CJK font stack."""
    from weasyprint import HTML

    font_config, base = _fonts()
    pdf: bytes = HTML(string=html, base_url=None).write_pdf(stylesheets=[base], font_config=font_config)
    return pdf
