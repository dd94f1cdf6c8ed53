import re

from django.contrib.staticfiles import finders

from phteah.core.fonts import KHMER_FONT_UNICODES

WOFF2_URL = "../fonts/noto-sans-khmer/NotoSansKhmer-subset.woff2"
TTF_URL = "../fonts/noto-sans-khmer/NotoSansKhmer[wdth,wght].ttf"


def test_our_assets_and_the_khmer_font_are_served_from_static_files():
    for path in (
        "phteah/phteah.css",
        "phteah/phteah.js",
        "phteah/address-picker.js",
        "fonts/noto-sans-khmer/NotoSansKhmer[wdth,wght].ttf",
        "fonts/noto-sans-khmer/NotoSansKhmer-subset.woff2",  # built at the session's start
    ):
        assert finders.find(path), path


def test_the_stylesheet_offers_the_light_woff2_first_and_the_ttf_as_fallback(client):
    response = client.get("/static/phteah/phteah.css")
    css = b"".join(response.streaming_content).decode()
    woff2 = css.index(f'url("{WOFF2_URL}") format("woff2")')
    ttf = css.index(f'url("{TTF_URL}") format("truetype")')
    assert woff2 < ttf
    assert css.count("@font-face") == 1


def test_the_woff2_is_served_as_a_font(client):
    response = client.get("/static/fonts/noto-sans-khmer/NotoSansKhmer-subset.woff2")
    assert response.status_code == 200
    assert response["Content-Type"] == "font/woff2"


def test_the_woff2_holds_exactly_what_the_font_face_sends_to_it():
    css = open(finders.find("phteah/phteah.css"), encoding="utf-8").read()
    unicode_range = re.search(r"unicode-range:([^;]+);", css).group(1)
    sent = set()
    for part in unicode_range.split(","):
        first, _, last = part.strip().removeprefix("U+").partition("-")
        sent.update(range(int(first, 16), int(last or first, 16) + 1))
    assert sent == set(KHMER_FONT_UNICODES)


def test_pages_preload_the_woff2_not_the_ttf(client):
    html = client.get("/account/login/").content.decode()
    assert re.search(r'<link rel="preload" href="[^"]*NotoSansKhmer-subset\.woff2"', html)
    assert ".ttf" not in html
