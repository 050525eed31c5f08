"""The quick-esc driver is used only with the Textual releases it was checked against."""

from __future__ import annotations

import pytest
import textual

from nereader.ui import terminal


def test_the_quick_esc_driver_on_the_checked_release() -> None:
    assert textual.__version__.startswith(terminal.CHECKED)
    driver = terminal.driver_class()
    assert driver is not None and driver.__name__ == "Driver"


@pytest.mark.parametrize("version", ["8.3.0", "9.0.0", "7.5.1"])
def test_any_other_release_runs_on_textuals_own_driver(version: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textual, "__version__", version)
    assert terminal.driver_class() is None
