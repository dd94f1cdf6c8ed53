"""The light Khmer web font: a WOFF2 built from the installed TTF, complete for Khmer text,
a fraction of the TTF's size, and rebuilt only when its inputs change."""

import io
import os

import pytest
from django.core.management import call_command
from fontTools.ttLib import TTFont

from phteah.core.fonts import (
    KHMER_FONT_NAME,
    KHMER_FONT_SOURCE,
    khmer_font_build,
    khmer_font_path,
)

# Names, a ministry, stacked subscript consonants (ស្ត្រី), vowels and signs above and below,
# Khmer digits and the riel sign.
KHMER_SAMPLES = ["ផ្ទះ", "សុខ ដារ៉ា", "ស្ត្រី", "ក្រសួងសង្គមកិច្ច", "ព្រះរាជាណាចក្រកម្ពុជា", "១២៣៛"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return khmer_font_build(output=tmp_path_factory.mktemp("fonts") / KHMER_FONT_NAME)


def test_it_builds_a_woff2_that_covers_khmer_text(built):
    font = TTFont(built.path)
    assert built.built
    assert font.flavor == "woff2"
    cmap = font.getBestCmap()
    for text in KHMER_SAMPLES:
        # Spaces are outside the font's unicode-range: the browser draws them with Latin text.
        missing = [f"U+{ord(c):04X}" for c in text if c != " " and ord(c) not in cmap]
        assert not missing, f"{text}: no glyph for {missing}"
    assert "khmr" in {record.ScriptTag for record in font["GSUB"].table.ScriptList.ScriptRecord}
    features = {record.FeatureTag for record in font["GSUB"].table.FeatureList.FeatureRecord}
    assert {"blwf", "pref", "pres", "abvs", "blws"} <= features  # subscripts, pre-base forms
    assert "mark" in {record.FeatureTag for record in font["GPOS"].table.FeatureList.FeatureRecord}


def test_it_keeps_weights_400_to_700_at_normal_width(built):
    axes = {axis.axisTag: axis for axis in TTFont(built.path)["fvar"].axes}
    assert set(axes) == {"wght"}
    wght = axes["wght"]
    assert (wght.minValue, wght.defaultValue, wght.maxValue) == (400, 400, 700)


def test_it_is_much_smaller_than_the_ttf(built):
    assert built.size < built.source_size * 0.5, (built.size, built.source_size)


def test_it_is_skipped_when_up_to_date_and_rebuilt_when_older_than_the_ttf(built):
    first_written = built.path.stat().st_mtime_ns
    first_bytes = built.path.read_bytes()

    again = khmer_font_build(output=built.path)
    assert not again.built
    assert built.path.stat().st_mtime_ns == first_written

    # As if the package was upgraded since the build.
    older = KHMER_FONT_SOURCE.stat().st_mtime - 10
    os.utime(built.path, (older, older))
    rebuilt = khmer_font_build(output=built.path)
    assert rebuilt.built
    assert built.path.stat().st_mtime > KHMER_FONT_SOURCE.stat().st_mtime
    # Byte for byte the same font: servers building their own agree on its hashed name.
    assert built.path.read_bytes() == first_bytes


def test_the_command_builds_into_the_served_directory():
    # The test session built it already (conftest), so the command has nothing to do.
    out = io.StringIO()
    call_command("fonts", "build", stdout=out)
    assert out.getvalue().startswith("Up to date:")
    assert khmer_font_path().name == KHMER_FONT_NAME
    assert TTFont(khmer_font_path()).flavor == "woff2"
