"""Switching language, then touching a control, changes nothing but that control.

Option widgets travel between browser and server as their displayed labels.
AppTest re-labels every value in the new language by itself, so it cannot see a
browser that still holds the old language's label. ``Browser`` keeps what a real
browser keeps: a widget's label from the run that drew it, replaced only when the
user changes it or the server pushes a new one (``set_value``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Widget

from tests.conftest import ROOT

Touch = Callable[[AppTest], Widget]


@dataclass
class Browser:
    """One user's app as a browser holds it: the widget labels last drawn or pushed."""

    at: AppTest
    held: dict[str, WidgetState] = field(default_factory=dict)

    def _widgets(self) -> list[Widget]:
        return [node for node in self.at._tree if isinstance(node, Widget)]

    def _absorb(self) -> None:
        """After a run: new widgets and pushed values replace what the browser held."""
        pushed = {w.id for w in self._widgets() if getattr(w.proto, "set_value", False)}
        now = {state.id: state for state in self.at._tree.get_widget_states().widgets}
        self.held = {
            wid: state if wid in pushed or wid not in self.held else self.held[wid]
            for wid, state in now.items()
        }

    def open(self, script: str, **params: str) -> Browser:
        self.at.query_params.update(params)
        self.at.run()
        if script != "app.py":
            self.at.switch_page(script).run()
        self._absorb()
        return self

    def touch(self, touch: Touch) -> Browser:
        """The user changes one widget; every other widget sends the label the browser holds."""
        touched = touch(self.at)
        mine = {state.id: state for state in self.at._tree.get_widget_states().widgets}
        self.held[touched.id] = mine[touched.id]
        sent = WidgetStates()
        sent.widgets.extend(self.held.get(wid, state) for wid, state in mine.items())
        self.at._run(sent)
        self._absorb()
        return self

    def values(self) -> dict[str, object]:
        """Every keyed widget's value as the script saw it."""
        return {w.key: w.value for w in self._widgets() if w.key and hasattr(w, "value")}


def switch(lang: str) -> Touch:
    return lambda at: at.button_group(key="language_switch").set_value(lang)


def toggle(key: str) -> Touch:
    return lambda at: at.toggle(key=key).set_value(not at.toggle(key=key).value)


# page, its link, the control touched after the switch
PAGES = {
    "architecture": (
        "app.py",
        {"arch": "vgg16", "input": "64x64x3", "bn": "1"},
        toggle("arch_log"),
    ),
    "custom": ("pages/custom.py", {"preset": "tiny-vgg"}, toggle("custom_log")),
    "compare": (
        "pages/compare.py",
        {"cmp": "vgg16,vgg19_bn"},
        lambda at: at.button_group(key="cmp_metric").set_value("macs"),
    ),
    "activations": (
        "pages/activations.py",
        {"arch": "vgg11", "input": "32x32x3", "weights": "random", "sample": "coffee"},
        toggle("act_own_scale"),
    ),
    "learn": (
        "pages/learn.py",
        {"lesson": "size"},
        lambda at: at.slider(key="learn_k").set_value(5),
    ),
}


@pytest.mark.parametrize("start, to", [("en", "zh"), ("zh", "en")])
@pytest.mark.parametrize("page", sorted(PAGES))
def test_language_switch_then_a_touch_keeps_the_view(page: str, start: str, to: str) -> None:
    script, params, touch = PAGES[page]
    browser = Browser(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60))
    browser.open(script, lang=start, **params)
    assert not browser.at.exception, page
    values, link = browser.values(), dict(browser.at.query_params)
    browser.touch(switch(to))
    assert browser.at.query_params["lang"] == to
    browser.touch(touch)
    assert not browser.at.exception, page
    touched = touch(browser.at).key
    after = browser.values()
    for key, value in values.items():
        if key not in (touched, "language_switch"):
            assert after.get(key) == value, (page, key)
    assert dict(browser.at.query_params) == link | {"lang": to}, page
