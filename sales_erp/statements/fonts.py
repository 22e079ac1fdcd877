"""The Chinese font of our PDFs: a subset copy of Noto Sans CJK SC, made once, with the full font behind it.

Why a copy: WeasyPrint embeds a subset of every font it uses. Where libharfbuzz-subset is present it
subsets in milliseconds; where it is not, it falls back to fontTools, which takes 3–9 s per render on
the 20 MB CJK face (NOTES.md). A copy cut down once to GB2312 + ASCII + CJK punctuation (about 3 MB)
brings that back under a second. Characters outside the copy (a rare 𡃁 in a customer's name) are
drawn from the full system font, next in the font-family list, so nothing is lost.

The copy goes to var/fonts/ (not in git): `statement_fonts_ensure()` makes it on the first render
or in `erp_setup` (hooks.SETUP_STEPS); a lock keeps two processes from cutting it at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

FAMILY = "ErpCJK"
SYSTEM_FAMILY = "Noto Sans CJK SC"
# The CSS font-family of every PDF: the copy first, the full font for what the copy lacks.
FONT_STACK = f'"{FAMILY}", "{SYSTEM_FAMILY}", sans-serif'
# Bump when the character set below changes: the file name carries it, so old copies are not reused.
CHARSET_VERSION = "gb2312-1"
# Where the system's font lies when fontconfig cannot be asked (Debian's fonts-noto-cjk).
KNOWN_PATHS = {
    "Regular": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    "Bold": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
}
WEIGHTS = {"Regular": 400, "Bold": 700}


@dataclass(frozen=True)
class FontFace:
    weight: int
    path: Path


def font_dir() -> Path:
    return Path(getattr(settings, "FONT_DIR", settings.BASE_DIR / "var" / "fonts"))


def subset_unicodes() -> set[int]:
    """Printable ASCII, Latin-1 signs (¥ ×), general and CJK punctuation, full-width forms, and every
    character of GB2312 (its 6,763 hanzi cover company names and the capital-amount digits)."""
    chars = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    chars |= set(range(0x2000, 0x2070)) | set(range(0x2190, 0x2200)) | set(range(0x2460, 0x2500))
    chars |= set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return chars


def system_font(style: str) -> tuple[Path, int] | None:
    """(file, index in the collection) of Noto Sans CJK SC in `style`, from fontconfig or the known path."""
    fc_list = shutil.which("fc-list")
    if fc_list:
        found = subprocess.run(
            [fc_list, f":family={SYSTEM_FAMILY}:style={style}", "file", "index"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        for line in found.splitlines():
            file, _, rest = line.partition(":")
            index = rest.strip().removeprefix("index=").rstrip(":")
            if file and index.isdigit():
                return Path(file), int(index)
    path = KNOWN_PATHS[style]
    if path.exists():
        from fontTools.ttLib import TTCollection

        for number, font in enumerate(TTCollection(str(path), lazy=True).fonts):
            if font["name"].getDebugName(1) == SYSTEM_FAMILY:
                return path, number
    return None


def _subset_write(*, source: Path, index: int, target: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source), fontNumber=index, lazy=False)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.hinting = False
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=subset_unicodes())
    subsetter.subset(font)
    # Written beside the target and renamed: a reader never sees half a font.
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".part", delete=False) as part:
        font.save(part)
    os.replace(part.name, target)


def _target_for(source: Path, index: int, style: str) -> Path:
    stat = source.stat()
    tag = hashlib.sha256(f"{source}:{index}:{stat.st_size}:{stat.st_mtime_ns}:{CHARSET_VERSION}".encode()).hexdigest()
    return font_dir() / f"{FAMILY}-{style}-{tag[:12]}.otf"


@cache
def statement_fonts_ensure() -> tuple[FontFace, ...]:
    """The subset copies (made now if missing). Empty when the system has no Noto CJK font: the PDF
    then falls back to whatever fontconfig offers, and a warning says to install fonts-noto-cjk."""
    faces: list[FontFace] = []
    for style, weight in WEIGHTS.items():
        found = system_font(style)
        if found is None:
            logger.warning("%s %s not found: install fonts-noto-cjk for Chinese PDFs", SYSTEM_FAMILY, style)
            continue
        source, index = found
        target = _target_for(source, index, style)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target.parent / ".lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if not target.exists():  # another process may have made it while we waited
                    logger.info("cutting %s from %s (once)", target.name, source)
                    _subset_write(source=source, index=index, target=target)
        faces.append(FontFace(weight=weight, path=target))
    return tuple(faces)


def font_face_css() -> str:
    """@font-face rules for the copies; pair with FONT_STACK."""
    return "\n".join(
        f'@font-face {{ font-family: "{FAMILY}"; font-weight: {face.weight}; src: url("{face.path.as_uri()}"); }}'
        for face in statement_fonts_ensure()
    )
