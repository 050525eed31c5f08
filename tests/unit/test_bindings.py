"""The binding registry: it holds every class's keys, accepts every id the README names, lists
every described binding in the help, and reports conflicts with both ids."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest
from textual.binding import Binding

import nereader.ui
from nereader.cli import main
from nereader.ui import bindings as registry

README = Path(__file__).parents[2] / "README.md"


def ui_classes_with_bindings() -> dict[str, type]:
    """Every class in the nereader.ui package that declares BINDINGS itself."""
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(nereader.ui.__path__, "nereader.ui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and "BINDINGS" in cls.__dict__:
                found[cls.__qualname__] = cls
    return found


def test_the_registry_holds_the_keys_of_every_class_with_bindings() -> None:
    classes = ui_classes_with_bindings()
    assert set(classes) == set(registry.owners())
    for name, cls in classes.items():
        assert cls.__dict__["BINDINGS"] is registry.bindings_of(name), name
        assert registry.scope_of(cls) is registry.owners()[name]


def test_every_id_is_unique_and_named_after_its_scope() -> None:
    ids = [b.id for _, b in registry.all_bindings()]
    assert all(ids) and len(ids) == len(set(ids))
    for scope, binding in registry.all_bindings():
        assert (binding.id or "").split(".")[0] == scope.name


def test_only_the_pairs_bound_on_purpose_share_a_key_in_a_scope() -> None:
    for scope in registry.SCOPES.values():
        on_key: dict[str, set[str]] = {}
        for binding in scope.bindings:
            for key in registry.normal_keys(binding.key):
                on_key.setdefault(key, set()).add(binding.id or "")
        shared = [ids for ids in on_key.values() if len(ids) > 1]
        assert all(frozenset(ids) in scope.shared for ids in shared), (scope.name, shared)
        # and every pair said to be on purpose does share a key
        assert all(pair in map(frozenset, shared) for pair in scope.shared), scope.name


def readme_ids() -> set[str]:
    """Every binding id the README names: the [keys] examples in its TOML blocks and the ids
    written in backticks anywhere (the key tables and the Settings paragraph)."""
    text = README.read_text(encoding="utf-8")
    scopes = "|".join(registry.SCOPES)
    ids = set(re.findall(rf"`((?:{scopes})\.[a-z_0-9]+)`", text))
    for block in re.findall(r"```toml\n(.*?)```", text, re.S):
        keys = block.split("[keys]", 1)[1] if "[keys]" in block else ""
        ids |= set(re.findall(r'^"([^"]+)"\s*=', keys, re.M))
    return ids


def test_every_id_the_readme_names_is_accepted() -> None:
    named = readme_ids()
    assert {"detail.copy_code", "main.refresh", "app.quit", "home.refresh"} <= named
    assert registry.unknown_ids(dict.fromkeys(named, "x")) == []
    assert registry.unknown_ids({"detail.copy_code": "x", "bogus.id": "y"}) == ["bogus.id"]


def test_checking_ids_loads_no_screen_or_widget() -> None:
    code = ("import sys; from nereader.ui.bindings import unknown_ids; "
            "assert unknown_ids({'detail.copy_code': 'x', 'copy.close': 'y'}) == []; "
            "print(sorted(m for m in sys.modules if m.startswith(('nereader.ui.', 'textual.w', "
            "'textual.app'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "['nereader.ui.bindings']"


def test_every_described_binding_is_in_its_scopes_help() -> None:
    for scope in registry.SCOPES.values():
        entries = registry.help_entries(scope, {})
        listed = [b for entry in entries for b in entry.bindings]
        described = [b for b in scope.bindings if b.description]
        assert set(described) == set(listed), scope.name
        for binding in described:
            # a system binding (hidden from the palette and key bar) is folded into a group
            assert not binding.system or binding.group is not None, binding.id
    detail = {e.text: e.keys for e in registry.help_entries(registry.DETAIL, {})}
    assert detail["Copy the code block labelled 'code N'"] == ["1-9"]
    assert detail["Scroll down / up a line"] == ["j/↓", "k/↑"]


def readme_key_rows() -> list[tuple[set[str], str]]:
    """The README's table of keys: each row's keys as written (`j`/`k`, PgUp/PgDn: one each)
    and its "where"."""
    text = README.read_text(encoding="utf-8")
    table = text.split("| keys | where | what |", 1)[1].split("\n\n", 1)[0]
    rows = []
    for row in table.splitlines()[2:]:
        keys, where = row.split("|")[1:3]
        words = set()
        for token in re.split(r"[,()\s]+", keys.replace("`", " ")):
            words |= set(token.split("/")) | {token}
        if "`1`-`9`" in keys:
            words |= set("123456789")
        rows.append((words - {""}, where.strip()))
    return rows


def test_the_readme_key_table_names_every_key_of_the_main_panes() -> None:
    """The README's table of keys is written by hand; each key of the list, the filter bar,
    the thread and the app must appear in a row for its pane (or 'anywhere')."""
    rows = readme_key_rows()
    places = {"app": ("anywhere", "list", "thread"), "main": ("anywhere", "list", "thread"),
              "list": ("list",), "filter": ("filter bar",), "detail": ("thread",),
              "find": ("thread",)}
    spelled = {"question_mark": "?", "slash": "/", "escape": "esc", "pageup": "PgUp",
               "pagedown": "PgDn", "left": "←", "right": "→", "shift+left": "shift",
               "shift+right": "shift", "left_square_bracket": "[",
               "right_square_bracket": "]"}
    missing = []
    for name, where in places.items():
        for binding in registry.SCOPES[name].bindings:
            for key in registry.normal_keys(binding.key):
                word = "arrows" if key in {"up", "down"} and name != "filter" else (
                    spelled.get(key, key))
                if not any(word in words for words, at in rows
                           if any(place in at for place in where)):
                    missing.append(f"{binding.id}: {key}")
    assert missing == [], missing


@pytest.mark.parametrize(("keymap", "ids", "says"), [
    # in the thread, / finds: there it hides the refresh too
    ({"main.refresh": "slash"}, {"main.filter", "main.refresh", "detail.find"}, "hides"),
    ({"detail.copy_url": "l"}, {"detail.copy_url", "detail.links"}, "detail.copy_url, remapped"),
    ({"list.sort": "b", "list.bookmark": "s"}, set(), ""),  # swapped: no clash
    ({"main.refresh": "q"}, {"main.refresh", "app.quit"}, "hides app.quit"),
    ({"detail.copy_url": "ctrl+p"}, {"detail.copy_url"}, "never acts: the command palette"),
    ({"app.search": "ctrl+p"}, {"app.search"}, "takes the place of the command palette"),
    ({"home.refresh": "j"}, {"home.refresh", "home.down"}, "bound to both"),
    ({"app.quit": "t", "app.tag": "t", "app.offline": "ctrl+q"},
     {"app.quit", "app.tag", "app.offline"}, "no key quits nereader"),
    # bound together on purpose: check_action picks (next match while finding, else post)
    ({"detail.next_match": "J"}, set(), ""),
    ({"app.quit": "q,ctrl+q", "main.refresh": "ctrl+r"}, set(), ""),  # the README's example
    ({"detail.find": "slash"}, set(), ""),  # its own key again: as without a keymap
])
def test_conflicts_name_both_ids(keymap: dict[str, str], ids: set[str], says: str) -> None:
    found = registry.conflicts(keymap)
    assert {i for c in found for i in c.ids} == ids
    assert all(says in str(c) for c in found[-1:]), [str(c) for c in found]
    for conflict in found:
        assert all(i in str(conflict) for i in conflict.ids if i)


@pytest.mark.parametrize(("keymap", "says", "quit_keys"), [
    # a name no key press is called: left out, and with no other key the binding keeps its own
    ({"app.quit": "ctrl+"}, ["app.quit: 'ctrl+' is not a key, so app.quit keeps its own (q)"],
     ["q"]),
    ({"app.quit": "esc"}, ["app.quit: 'esc' is not a key (did you mean 'escape'?), so app.quit "
                           "keeps its own (q)"], ["q"]),
    ({"app.quit": "Ctrl+Q , x"}, ["app.quit: 'Ctrl+Q' is not a key (did you mean 'ctrl+q'?), "
                                  "left out"], ["x"]),
    ({"app.quit": "pgdn"}, ["app.quit: 'pgdn' is not a key (did you mean 'pagedown'?)"], ["q"]),
    ({"app.quit": "ctrl+/"}, ["'ctrl+/' is not a key (did you mean 'ctrl+slash'?)"], ["q"]),
    ({"app.quit": "x,x"}, ["app.quit: 'x' is named twice"], ["x"]),
    ({"app.quit": "?,question_mark"}, ["app.quit: '?' is named twice"], ["question_mark"]),
    # Unicode names are keys only where Textual names a character so
    ({"app.quit": "exclamation_mark,f5,shift+left,ctrl+shift+r,é"}, [],
     ["exclamation_mark", "f5", "shift+left", "ctrl+shift+r", "é"]),
])
def test_a_key_name_that_is_no_key_is_said_and_left_out(keymap: dict[str, str],
                                                        says: list[str],
                                                        quit_keys: list[str]) -> None:
    """A [keys] value naming no key press (``ctrl+``, ``esc``) is reported with its id and
    the key probably meant; the binding gets the keys of the value that are keys, or keeps
    its own when none is, and Textual is handed exactly that."""
    found = [str(c) for c in registry.conflicts(keymap) if c.ids == ("app.quit",)]
    for line in says:
        assert any(line in c for c in found), found
    assert len(found) == len(says), found
    quitter = next(b for b in registry.APP.bindings if b.id == "app.quit")
    assert registry.keys_of(quitter, keymap) == quit_keys
    handed = registry.textual_keymap(keymap).get("app.quit")
    assert handed == (None if quit_keys == ["q"] else ",".join(quit_keys))


def test_no_key_left_that_quits_counts_only_keys_that_can_be_pressed() -> None:
    """app.quit given no real key keeps q: that q still quits; moved to a key that can be
    pressed, with ctrl+q taken, nothing quits and that is said."""
    taken = {"app.offline": "ctrl+q"}
    keymap = {"app.quit": "ctrl+", **taken}
    assert not any("no key quits" in str(c) for c in registry.conflicts(keymap))
    assert "app.quit" not in registry.textual_keymap(keymap)  # so q does quit
    said = [str(c) for c in registry.conflicts({"app.quit": "t", "app.tag": "t", **taken})]
    assert any("no key quits nereader" in c for c in said), said


def test_moving_one_of_two_bindings_on_a_key_keeps_the_other_on_it() -> None:
    """Textual takes a remapped binding's old keys away whole: the keymap handed to it names
    the other bindings on those keys too, at their own keys."""
    assert registry.textual_keymap({"detail.next": "ctrl+n", "nope.x": "y"}) == {
        "detail.next": "ctrl+n", "detail.next_match": "n"}
    assert registry.textual_keymap({"main.refresh": "ctrl+r"}) == {"main.refresh": "ctrl+r"}


def test_remapped_keys_are_as_textual_reads_them() -> None:
    binding = next(b for b in registry.DETAIL.bindings if b.id == "detail.copy_code")
    assert registry.keys_of(binding, {"detail.copy_code": "?, x"}) == ["question_mark", "x"]
    assert registry.keys_of(binding, {"detail.copy_code": ""}) == ["c"]  # empty: unchanged
    assert registry.key_text(registry.remapped(binding, {"detail.copy_code": "shift+right"})) \
        == "shift+→"
    assert isinstance(binding, Binding)


def test_config_show_says_a_key_that_is_no_key_at_its_line(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    """A value naming a key no key press is called is a warning with the id and the line (the
    app runs, the binding keeping its own key); one naming no key at all is an error at its
    line: the file is left out, exit 2, said as an error."""
    monkeypatch.setenv("NEREADER_CONFIG_DIR", str(tmp_path))
    (tmp_path / "config.toml").write_text('[keys]\n"main.refresh" = "r"\n"app.quit" = "ctrl+"\n',
                                          encoding="utf-8")
    assert main(["config", "show"]) == 0
    err = capsys.readouterr().err
    assert err == ("nereader: warning: [keys] app.quit: 'ctrl+' is not a key, so app.quit keeps "
                   "its own (q) (line 3)\n")
    assert main(["config", "keys", "--json"]) == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["app.quit"]["keys"] == ["q"] and not rows["app.quit"]["remapped"]
    assert rows["main.refresh"]["keys"] == ["r"] and rows["main.refresh"]["remapped"]
    (tmp_path / "config.toml").write_text('[keys]\n"main.refresh" = "r"\n"app.quit" = ",,,"\n',
                                          encoding="utf-8")
    for command in (["config", "show"], ["config", "keys"], ["config", "show", "--json"]):
        assert main(command) == 2
        out, err = capsys.readouterr()
        assert err.startswith(f"nereader: error: {tmp_path / 'config.toml'} line 3: "
                              "keys.app.quit names no key")
        assert err.count("\n") == 1 and "warning" not in err
        assert out  # the settings (or keys) without the file, as the app starts
    assert main(["config", "show"]) == 2
    out = capsys.readouterr().out
    assert "(has an error, left out)" in out and "keys.app.quit" not in out


def test_config_show_and_keys_report_conflicts_with_both_ids(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.setenv("NEREADER_CONFIG_DIR", str(tmp_path))
    (tmp_path / "config.toml").write_text(
        '[keys]\n"detail.copy_code" = "x"\n"main.refresh" = "slash"\n', encoding="utf-8")
    assert main(["config", "show"]) == 0  # as an unknown id: a warning, the app still runs
    err = capsys.readouterr().err
    assert "names no binding" not in err  # detail.copy_code is known without the app loaded
    assert "'/' is bound to both main.filter and main.refresh" in err and "(line 3)" in err
    assert main(["config", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["unknown_keys"] == []
    assert ["main.filter", "main.refresh"] in [c["ids"] for c in shown["key_conflicts"]]
    assert main(["config", "keys", "--json"]) == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert set(rows) == registry.known_ids()
    assert rows["detail.copy_code"]["keys"] == ["x"] and rows["detail.copy_code"]["remapped"]
    assert rows["detail.copy_url"]["keys"] == ["u"] and not rows["detail.copy_url"]["remapped"]
    assert main(["config", "keys"]) == 0
    out = capsys.readouterr().out
    assert "Thread (detail.*)" in out
    assert re.search(r"detail\.copy_code +x +Copy the current post's code block .*\(remapped\)",
                     out)


def test_no_help_text_names_a_binding_id() -> None:
    """The ids are for the config file's [keys]: the help and the key bar's tooltips speak to
    the user in words, so none of them shows an id."""
    ids = {binding.id for _, binding in registry.all_bindings() if binding.id}
    scopes = registry.SCOPES.values()
    texts = [*(s.intro for s in scopes),
             *(text for _, b in registry.all_bindings() for text in (b.description, b.tooltip)),
             *(e.text for s in scopes for e in registry.help_entries(s, {}))]
    named = {(text, i) for text in texts for i in ids if re.search(rf"\b{re.escape(i)}\b", text)}
    assert not named
