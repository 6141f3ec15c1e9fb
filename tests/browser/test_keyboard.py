"""Keyboard use: the skip link comes first and moves focus to the content; focus is visible."""

from __future__ import annotations


def _focused(page) -> dict:
    return page.evaluate(
        """() => {
          const el = document.activeElement, box = el.getBoundingClientRect(), style = getComputedStyle(el);
          return {tag: el.tagName, cls: el.className, id: el.id, left: box.left, right: box.right,
                  outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
        }"""
    )


def test_skip_link_then_menu_with_visible_focus(page, live_server):
    page.goto(live_server.url)
    page.keyboard.press("Tab")
    skip = _focused(page)
    assert skip["cls"] == "skip"
    assert skip["left"] >= 0 and skip["right"] <= 360  # on screen once focused
    assert skip["outline"] == "solid" and skip["width"] >= 2

    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    assert _focused(page)["id"] == "main"

    # From the top again: brand, then the menu, each with a visible focus ring.
    page.goto(live_server.url)
    for _ in range(3):
        page.keyboard.press("Tab")
    focused = _focused(page)
    assert focused["tag"] == "A" and focused["outline"] == "solid"
