"""Company names as the system compares them (DESIGN §2): NFKC, no blanks at all, Latin case-folded.

Nothing fuzzier: 上海甲乙科技有限公司 and 上海甲乙科技股份有限公司 stay different companies.
Used by the duplicate check, invoice titles and deposit matching alike.
"""

from __future__ import annotations

import unicodedata


def company_name_key(name: str) -> str:
    folded = unicodedata.normalize("NFKC", name or "").casefold()
    # NFKC already turns U+3000 into a plain space; isspace() also catches tabs and other blanks.
    return "".join(ch for ch in folded if not ch.isspace())
