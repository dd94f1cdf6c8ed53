"""The Khmer web font, made light for phones on 3G links.

The installed fontpkg-noto-sans-khmer package ships Noto Sans Khmer as one variable TTF with
every width and weight, and Latin glyphs besides the Khmer ones (360 KB). `phteah fonts build`
turns it into a WOFF2 holding only what our pages draw with it; the stylesheet lists that file
first and the TTF second, so a browser still gets the TTF when the WOFF2 was not built. The
WOFF2 is generated at install (like the compiled Khmer catalogue) and never committed."""

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import fontpkg_noto_sans_khmer
from django.conf import settings
from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

KHMER_FONT_SOURCE = fontpkg_noto_sans_khmer.ROOT / "files" / "NotoSansKhmer[wdth,wght].ttf"
KHMER_FONT_NAME = "NotoSansKhmer-subset.woff2"

# Exactly the unicode-range of the @font-face in phteah.css: the browser draws nothing else
# with this font (Latin text, digits, punctuation and spaces keep the system font), so glyphs
# for anything else would only make the download heavier.
KHMER_FONT_UNICODES = (
    *range(0x1780, 0x1800),  # Khmer
    *range(0x19E0, 0x1A00),  # Khmer Symbols
    *range(0x200B, 0x200E),  # zero-width space, non-joiner and joiner
    0x25CC,  # dotted circle
)

# Normal width only (no page narrows the text). The stylesheets ask for weights 400, 600 and
# 700 (and the browser's own bold for headings, <strong> and <th> is 700), so the weight axis
# stays variable over 400-700: one file, every weight drawn as designed.
KHMER_FONT_AXES = {"wdth": 100, "wght": (400, 700)}


@dataclass(frozen=True)
class FontBuild:
    path: Path
    built: bool  # False: the file was already up to date
    size: int
    source_size: int


def khmer_font_path() -> Path:
    """Where the built WOFF2 goes; settings serve that directory as static files."""
    return Path(settings.PHTEAH_FONT_BUILD_DIR) / KHMER_FONT_NAME


def khmer_font_build(
    *, output: Path | None = None, source: Path = KHMER_FONT_SOURCE, force: bool = False
) -> FontBuild:
    """Write the light Khmer WOFF2 unless it is newer than both its source TTF and this module
    (whose constants decide what goes into it). Written to a temporary file first and then
    renamed, so a running server never serves half a font."""
    output = output or khmer_font_path()
    if not force and _up_to_date(output, source):
        return FontBuild(output, False, output.stat().st_size, source.stat().st_size)

    # Keep the source's timestamp: the same TTF gives the same bytes, so every server that
    # builds it gets the same hashed name from collectstatic.
    font = TTFont(source, recalcTimestamp=False)
    # All layout features: Khmer shaping needs many (subscript consonants, vowel and sign
    # positions), and dropping the rest saves almost nothing once the glyphs are gone. All
    # names: they carry the Open Font License text that must travel with the font.
    options = subset.Options(layout_features=["*"], name_IDs=["*"])
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=KHMER_FONT_UNICODES)
    subsetter.subset(font)
    # Subset first, then instance: fewer glyphs to instance, and fontTools 4.68 fails
    # subsetting the variations of a freshly instanced font.
    instancer.instantiateVariableFont(font, KHMER_FONT_AXES, inplace=True)
    font.flavor = "woff2"

    output.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=output.parent, prefix=".", suffix=".woff2")
    try:
        with os.fdopen(fd, "wb") as handle:
            font.save(handle)
        os.chmod(temporary, 0o644)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return FontBuild(output, True, output.stat().st_size, source.stat().st_size)


def _up_to_date(output: Path, source: Path) -> bool:
    if not output.exists():
        return False
    newest_input = max(source.stat().st_mtime, Path(__file__).stat().st_mtime)
    return output.stat().st_mtime >= newest_input
