"""The Chinese font of our PDFs: a subset copy of Noto Sans CJK SC, made once, with the full font behind it.

Why a copy: WeasyPrint embeds a subset of every font it uses. Where libharfbuzz-subset is present it
subsets in milliseconds; where it is not, it falls back to fontTools, which takes 3–9 s per render on
the 20 MB CJK face (NOTES.md). A copy cut down once to GB2312 + ASCII + CJK punctuation (about 3 MB)
brings that back under a second. Characters outside the copy (a rare 𡃁 in a customer's name) are
drawn from the full system font, next in the font-family list, so nothing is lost. A second, tiny
copy of the monospaced face (ASCII and a few hanzi) lines up the report's daily tables as text: a table
cell per number would cost WeasyPrint seconds per thousand cells.

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
MONO_FAMILY = "ErpMono"
SYSTEM_MONO_FAMILY = "Noto Sans Mono CJK SC"
# The CSS font-family of every PDF: the copy first, the full font for what the copy lacks.
FONT_STACK = f'"{FAMILY}", "{SYSTEM_FAMILY}", sans-serif'
# Column-aligned text (the report's daily tables): Latin half width, hanzi full width.
MONO_STACK = f'"{MONO_FAMILY}", "{SYSTEM_MONO_FAMILY}", monospace'
# The hanzi that monospaced text may hold; the mono copy has these and ASCII only (cut in about a second).
MONO_HANZI = "日期合计移动联通电信不区分账号"
MONO_SIGNS = "—│"
# Bump when a character set below changes: the file name carries it, so old copies are not reused.
CHARSET_VERSION = "gb2312-1"
# Where the system's font lies when fontconfig cannot be asked (Debian's fonts-noto-cjk).
KNOWN_PATHS = {
    "Regular": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    "Bold": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
}


@dataclass(frozen=True)
class FaceSpec:
    family: str  # ours, in @font-face
    system_family: str  # the face it is cut from
    style: str
    weight: int
    mono: bool = False


FACE_SPECS = (
    FaceSpec(FAMILY, SYSTEM_FAMILY, "Regular", 400),
    FaceSpec(FAMILY, SYSTEM_FAMILY, "Bold", 700),
    FaceSpec(MONO_FAMILY, SYSTEM_MONO_FAMILY, "Regular", 400, mono=True),
)


@dataclass(frozen=True)
class FontFace:
    family: str
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


def mono_unicodes() -> set[int]:
    return set(range(0x20, 0x7F)) | {ord(c) for c in MONO_HANZI + MONO_SIGNS}


def system_font(family: str, style: str) -> tuple[Path, int] | None:
    """(file, index in the collection) of `family` in `style`, from fontconfig or the known path."""
    fc_list = shutil.which("fc-list")
    if fc_list:
        found = subprocess.run(
            [fc_list, "--format", "%{file}|%{index}\n", f":family={family}:style={style}"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        for line in sorted(found.splitlines()):
            file, _, index = line.partition("|")
            if file and index.isdigit():
                return Path(file), int(index)
    path = KNOWN_PATHS[style]
    if path.exists():
        from fontTools.ttLib import TTCollection

        for number, font in enumerate(TTCollection(str(path), lazy=True).fonts):
            if font["name"].getDebugName(1) == family:
                return path, number
    return None


def _subset_write(*, source: Path, index: int, target: Path, unicodes: set[int]) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source), fontNumber=index, lazy=False)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.hinting = False
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    # Written beside the target and renamed: a reader never sees half a font.
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".part", delete=False) as part:
        font.save(part)
    os.chmod(part.name, 0o644)  # the web server's user reads what erp_setup's user cut
    os.replace(part.name, target)


def _target_for(source: Path, index: int, spec: FaceSpec) -> Path:
    stat = source.stat()
    key = f"{source}:{index}:{stat.st_size}:{stat.st_mtime_ns}:{CHARSET_VERSION}" + (
        f":{MONO_HANZI}{MONO_SIGNS}" if spec.mono else ""
    )
    return font_dir() / f"{spec.family}-{spec.style}-{hashlib.sha256(key.encode()).hexdigest()[:12]}.otf"


def font_face_ensure(spec: FaceSpec) -> FontFace | None:
    """The copy for one face, cut now if missing (and older copies of it removed); None without the font."""
    found = system_font(spec.system_family, spec.style)
    if found is None:
        logger.warning("%s %s not found: install fonts-noto-cjk for Chinese PDFs", spec.system_family, spec.style)
        return None
    source, index = found
    target = _target_for(source, index, spec)
    if not target.exists():
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target.parent / ".lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if not target.exists():  # another process may have made it while we waited
                    logger.info("cutting %s from %s (once)", target.name, source)
                    unicodes = mono_unicodes() if spec.mono else subset_unicodes()
                    _subset_write(source=source, index=index, target=target, unicodes=unicodes)
                    for stale in target.parent.glob(f"{spec.family}-{spec.style}-*.otf"):
                        if stale != target:
                            stale.unlink(missing_ok=True)
        except OSError as error:
            # A read-only checkout still makes correct PDFs from the full font, only slower without
            # libharfbuzz-subset; say where the copy should have gone.
            logger.warning("cannot write the font copy %s (%s): PDFs use the full font", target, error)
            return None
    return FontFace(family=spec.family, weight=spec.weight, path=target)


@cache
def statement_fonts_ensure() -> tuple[FontFace, ...]:
    """The subset copies (made now if missing). Empty when the system has no Noto CJK font: the PDF
    then falls back to whatever fontconfig offers, and a warning says to install fonts-noto-cjk."""
    return tuple(face for spec in FACE_SPECS if (face := font_face_ensure(spec)) is not None)


def font_face_css() -> str:
    """@font-face rules for the copies; pair with FONT_STACK."""
    return "\n".join(
        f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; src: url("{face.path.as_uri()}"); }}'
        for face in statement_fonts_ensure()
    )
