"""The page shell every step-through page shares: what it says to a browser and a screen reader."""

import html
import re

from viz import drawing
from viz.page import Frame, KeyEntry, page_html

SVG = (
    '<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg width="80pt" height="40pt" viewBox="0 0 80 40">'
    '<g id="graph0"><title>G</title><text>x</text></g></svg>'
)


def _page(key, title="A <title> & more"):
    return page_html(title, SVG, [Frame("one"), Frame("two")], key)


def test_the_picture_is_an_image_named_by_the_title_without_the_xml_prolog():
    page = _page([])
    name = html.escape("A <title> & more: the picture each step highlights", quote=True)
    opening = f'<svg role="img" aria-label="{name}" width="80pt" height="40pt" viewBox="0 0 80 40">'
    assert opening + f"<title>{name}</title><g id=" in page
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page and page.count("<svg") == 1


def test_a_phone_gets_the_real_width_and_a_screen_reader_hears_each_caption():
    page = _page([])
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<div id="caption" aria-live="polite">' in page
    for control in ("« first", "‹ back", "next ›", "last »", ">−<", ">+<", ">fit<", "A−", "A+"):
        assert control in page
    assert re.search(r'<option value="0.5">0.5×</option>.*<option value="2">2×</option>', page)
    assert '<span id="counter">step 0 of 1</span>' in page


def test_each_kind_of_key_entry_draws_its_sample_and_escapes_its_text():
    page = _page(
        [
            KeyEntry("z <boxes> & δ", fill=drawing.Z_FILL),
            KeyEntry("w > 0", line=drawing.POSITIVE_WEIGHT, width=3),
            KeyEntry("what this step computes", state="current"),
            KeyEntry("the local derivative", sample="∂=<3>"),
        ]
    )
    key = re.search(r'<details id="key" open>(.*?)</details>', page, re.S).group(1)
    assert f'<span class="swatch" style="background: {drawing.Z_FILL}"></span>' in key
    assert f'style="border-top: 3px solid {drawing.POSITIVE_WEIGHT}"' in key
    assert '<span class="swatch current"></span>' in key
    assert '<span class="sample">∂=&lt;3&gt;</span>' in key
    assert "z &lt;boxes&gt; &amp; δ" in key and "w &gt; 0" in key
    assert key.count('<li class="key">') == 4
