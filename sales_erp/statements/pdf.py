"""HTML → PDF through WeasyPrint, with the CJK font of fonts.py embedded."""

from __future__ import annotations

from sales_erp.statements.fonts import FONT_STACK, font_face_css


def html_to_pdf(html: str) -> bytes:
    """Render a complete HTML document (its <title> names the PDF); the page gets the CJK font stack."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    base = CSS(string=f"{font_face_css()}\nhtml {{ font-family: {FONT_STACK}; }}", font_config=font_config)
    pdf: bytes = HTML(string=html, base_url=None).write_pdf(stylesheets=[base], font_config=font_config)
    return pdf
