"""The PDFs' font copies: cut once into var/fonts (here a temporary folder), reused, and replaced when
their character set changes."""

from __future__ import annotations

import os

import pytest
from fontTools.ttLib import TTFont

from sales_erp.statements import fonts
from sales_erp.statements.selectors import CARRIER_LABELS

MONO = next(spec for spec in fonts.FACE_SPECS if spec.mono)
needs_noto = pytest.mark.skipif(
    fonts.system_font(fonts.SYSTEM_MONO_FAMILY, "Regular") is None, reason="fonts-noto-cjk not installed"
)


@needs_noto
def test_copy_is_cut_once_and_reused(settings, tmp_path) -> None:
    settings.FONT_DIR = tmp_path / "fonts"
    face = fonts.font_face_ensure(MONO)
    assert face is not None and face.path.parent == tmp_path / "fonts"
    assert oct(face.path.stat().st_mode & 0o777) == "0o644"
    cmap = TTFont(str(face.path)).getBestCmap()
    assert all(ord(c) in cmap for c in fonts.MONO_HANZI + fonts.MONO_SIGNS + "0123456789,-")
    assert ord("客") not in cmap  # the mono copy is small on purpose

    made = face.path.stat().st_mtime_ns
    again = fonts.font_face_ensure(MONO)
    assert again == face
    assert face.path.stat().st_mtime_ns == made  # not cut again


@needs_noto
def test_a_new_character_set_replaces_the_old_copy(settings, tmp_path, monkeypatch) -> None:
    settings.FONT_DIR = tmp_path
    old = fonts.font_face_ensure(MONO)
    monkeypatch.setattr(fonts, "CHARSET_VERSION", "test-2")
    new = fonts.font_face_ensure(MONO)
    assert old is not None and new is not None
    assert new.path != old.path
    assert sorted(os.listdir(tmp_path)) == [".lock", new.path.name]


def test_missing_system_font_gives_no_face(settings, tmp_path, monkeypatch) -> None:
    settings.FONT_DIR = tmp_path
    monkeypatch.setattr(fonts, "system_font", lambda family, style: None)
    assert fonts.font_face_ensure(MONO) is None
    assert not list(tmp_path.iterdir())


def test_mono_copy_holds_every_hanzi_of_the_day_grids() -> None:
    words = "".join(CARRIER_LABELS.values()) + "日期合计"
    assert set(words) <= set(fonts.MONO_HANZI)


def test_gb2312_copy_covers_the_capital_digits_and_common_names() -> None:
    unicodes = fonts.subset_unicodes()
    assert all(ord(c) in unicodes for c in "零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整对账单我司客户盖章¥×")
    assert 0x210C1 not in unicodes  # 𡃁: drawn from the full font


@needs_noto
def test_unwritable_font_folder_falls_back_to_the_full_font(settings, tmp_path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be")
    settings.FONT_DIR = blocked / "fonts"
    assert fonts.font_face_ensure(MONO) is None
