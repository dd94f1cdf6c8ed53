from django.contrib.staticfiles import finders


def test_our_assets_and_the_khmer_font_are_served_from_static_files():
    for path in (
        "phteah/phteah.css",
        "phteah/phteah.js",
        "phteah/address-picker.js",
        "fonts/noto-sans-khmer/NotoSansKhmer[wdth,wght].ttf",
    ):
        assert finders.find(path), path


def test_the_stylesheet_points_at_the_served_font():
    css = open(finders.find("phteah/phteah.css"), encoding="utf-8").read()
    assert 'url("../fonts/noto-sans-khmer/NotoSansKhmer[wdth,wght].ttf")' in css
