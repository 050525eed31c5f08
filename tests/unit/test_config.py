"""The config file: errors that name the line, and edits that keep a hand-edited file intact."""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nereader.core.config import TEMPLATE, edit_top_level, lines_of, load_settings, read_layer
from nereader.core.errors import StorageError
from nereader.core.settings import ConfigError, flag_layer

HAND_EDITED = """\
# my nereader
base_url = "http://127.0.0.1:9"   # the local forum
follow = [
    "networkextension",  # work
    "topics/app-and-system-services",
]

[politeness]
min_gap = 0  # loopback: no need to wait
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "expected"), [
    ('theme = "nord"\n[politeness]\nmin_gapp = 1\n', "line 3: unknown setting 'politeness.min_gapp'"),
    ('colour = "red"\n', "line 1: unknown setting 'colour'"),
    ('theme = "nord"\nbase_url = "http://x\n', "line 2, column 21"),
    ('[freshness]\nlisting = 1\n[freshness]\n', "line 3, column 11"),
])
def test_errors_name_the_line(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        read_layer(path)
    assert str(caught.value).startswith(f"{path} {expected}")
    assert "\n" not in str(caught.value) and caught.value.exit_code == 2


def test_a_bad_value_names_its_line_and_the_app_can_go_on_without_the_file(tmp_path: Path) -> None:
    write(tmp_path, '# c\nbase_url = "http://127.0.0.1:9"\n\n[politeness]\nretries = "lots"\n')
    env = {"NEREADER_CONFIG_DIR": str(tmp_path)}
    with pytest.raises(ConfigError, match=r"config.toml line 5: politeness.retries must be a "
                       r"number, not 'lots'"):
        load_settings(env, flag_layer())
    lenient = load_settings(env, flag_layer(), lenient=True)
    assert lenient.file_error is not None and "line 5" in lenient.file_error
    assert lenient.settings.retries == 3 and lenient.settings.base_url.startswith("https://")
    # The environment is not the file: its errors are never waved through.
    with pytest.raises(ConfigError, match="NEREADER_RETRIES"):
        load_settings({**env, "NEREADER_RETRIES": "inf"}, flag_layer(), lenient=True)


KEYS_ACCEPTED = 'one key or several separated by commas, in Textual\'s key names (e.g. ' \
    '"r,ctrl+r"; the comma key is "comma")'
LISTING = "a listing: a tag slug, topics/TOPIC[/SUB], allposts or a listing URL"


@pytest.mark.parametrize(("text", "line", "says"), [
    # [keys]: a value that names no key is an error at its own line, not at [keys]'s
    ('[keys]\n"app.quit" = ""\n', 2, f"keys.app.quit names no key, so app.quit would have "
     f"none: it must be {KEYS_ACCEPTED}, not ''"),
    ('[keys]\n"app.quit" = ",,,"\n', 2, "keys.app.quit names no key, so app.quit would have "
     f"none: it must be {KEYS_ACCEPTED}, not ',,,'"),
    ('[keys]\n"main.refresh" = "r"\n"app.quit" = " ,  "\n', 3, "keys.app.quit names no key"),
    ('[keys]\n"app.quit" = 5\n', 2, f"keys.app.quit must be in quotes: {KEYS_ACCEPTED}, not 5"),
    ('[keys]\n"main.refresh" = "r,,ctrl+r"\n', 2, "keys.main.refresh has an empty key between "
     f"commas: it must be {KEYS_ACCEPTED}, not 'r,,ctrl+r'"),
    ('# mine\n[keys]\n\napp.quit = "x"\napp.tag = "y"\n', 4, 'keys.app.quit needs quotes: write '
     '"app.quit" = "..."; unquoted, TOML reads the dots of a binding id as tables'),
    ('[keys]\n\n"bad id" = "x"\n', 3, "keys.bad id is not a binding id (ids look like "
     "main.refresh; `nereader config keys` lists them)"),
    ('keys = { "app.quit" = "" }\n', 1, "keys.app.quit names no key"),
    ('keys = 3\n', 1, 'keys must be a table of binding id = "keys" ([keys], then '
     '"main.refresh" = "ctrl+r"), not 3'),
    # follow: the entry at its own line, in a sentence that says what a listing is
    ('follow = [""]\n', 1, f"follow[1] must be {LISTING} (e.g. \"networkextension\"), not ''"),
    ('# c\nfollow = [\n  "networkextension",  # "x", [\n  \'bad tag!\',\n]\n', 4,
     f"follow[2] must be {LISTING} (e.g. \"networkextension\"), not 'bad tag!'"),
    ('follow = ["networkextension", 3]\n', 1, f"follow[2] must be in quotes: {LISTING}"),
    ('follow = "networkextension"\n', 1, 'follow must be a list of listings, e.g. '
     '["networkextension"], not \'networkextension\''),
    ('default_listing = "bad tag!"\n', 1, f"default_listing must be {LISTING} (e.g. "
     "\"networkextension\"), not 'bad tag!'"),
    ('[[sections]]\nname = "a"\n\n[[sections]]\nname = "b"\nlisting = "bad tag!"\n', 6,
     f"sections[2].listing must be {LISTING}"),
    # the rest: the setting, what it must be, the value
    ('base_url = "ftp://x"\n', 1, "base_url must be http:// or https:// with a host, not "
     "'ftp://x'"),
    ('base_url = "http://[x"\n', 1, "base_url must be the forum's address, http:// or https:// "
     "with a host (e.g. \"https://developer.apple.com\"), not 'http://[x' (it does not read as "
     "a URL)"),
    ('theme = ""\n', 1, "theme must be a name (e.g. \"nord\"), not ''"),
    ('[paths]\ncache_dir = 3\n', 2, "paths.cache_dir must be in quotes: a folder (e.g. "
     "\"~/.cache/nereader\"), not 3"),
])
def test_a_bad_value_is_one_sentence_at_its_own_line(tmp_path: Path, text: str, line: int,
                                                     says: str) -> None:
    """The line of the value itself (an entry of [keys], of follow, of a section), and a
    sentence: the setting, what it must be, and the value given."""
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings({"NEREADER_CONFIG_DIR": str(tmp_path)}, flag_layer())
    message = str(caught.value)
    assert message.startswith(f"{path} line {line}: "), message
    assert says in message and "\n" not in message


async def test_the_followed_listings_read_later_name_the_entrys_line(tmp_path: Path) -> None:
    """The app starts without a file that does not read; its followed listings, read again
    by the home screen, name the entry's line too, not the list's first."""
    from nereader.core.service import ForumService
    from nereader.core.settings import Settings
    from nereader.localforum import Site, SiteTransport

    path = write(tmp_path, 'follow = [\n  "networkextension",\n  "bad tag!",\n]\n')
    settings = Settings(cache_dir=tmp_path / "c", data_dir=tmp_path / "d", config_dir=tmp_path)
    service = ForumService(settings, transport=SiteTransport(Site.bundled()))
    try:
        with pytest.raises(ConfigError) as caught:
            await service.following()
    finally:
        await service.aclose()
    assert str(caught.value).startswith(f"{path} line 3: follow[2] must be a listing")


def test_lines_are_found_past_values_over_several_lines(tmp_path: Path) -> None:
    """A multi-line string or array is read to its end: a line inside it that looks like an
    assignment is not taken for one, and the lines after it count on."""
    write(tmp_path, '[[sections]]\nname = "a"\nquery = """\nlisting = 1\n"""\n'
            'listing = "bad tag!"\n')
    with pytest.raises(ConfigError, match=r"config.toml line 6: sections\[1\]\.listing must"):
        load_settings({"NEREADER_CONFIG_DIR": str(tmp_path)}, flag_layer())
    assert lines_of('a = [\n  "x",\n  ["y", "]"], { b = "c" },\n]\n\u2028 = 1\nd = 2\n') == {
        "a": "line 1", "a[1]": "line 2", "a[2]": "line 3", "a[3]": "line 3", "d": "line 6"}


def test_the_template_is_valid_and_sets_nothing(tmp_path: Path) -> None:
    assert tomllib.loads(TEMPLATE) == {"paths": {}, "freshness": {}, "politeness": {},
                                       "cache": {}, "reading": {}, "keys": {}}
    assert read_layer(write(tmp_path, TEMPLATE)).values == {"keys": {}}


def test_edits_keep_comments_and_layout(tmp_path: Path) -> None:
    path = write(tmp_path, HAND_EDITED)
    edit_top_level(path, "follow", lambda old: [*old, "wi-fi-aware"])  # type: ignore[misc]
    text = path.read_text()
    assert '    "networkextension",  # work\n' in text
    assert '    "wi-fi-aware",\n]' in text and "# the local forum" in text
    assert "min_gap = 0  # loopback: no need to wait" in text
    edit_top_level(path, "follow", lambda old: [x for x in old if x != "networkextension"])  # type: ignore[attr-defined]
    edit_top_level(path, "theme", lambda old: "nord")
    data = tomllib.loads(path.read_text())
    assert data["follow"] == ["topics/app-and-system-services", "wi-fi-aware"]
    assert data["theme"] == "nord" and data["politeness"] == {"min_gap": 0}
    assert path.read_text().startswith("# my nereader\n")
    edit_top_level(path, "theme", lambda old: "dracula")
    assert path.read_text().count("theme =") == 1


def test_a_missing_file_starts_from_the_template(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    edit_top_level(path, "follow", lambda old: ["networkextension"])
    text = path.read_text()
    assert text.startswith(TEMPLATE.splitlines()[0]) and "[politeness]" in text
    assert tomllib.loads(text)["follow"] == ["networkextension"]


def test_a_dotted_table_where_a_key_goes_is_replaced_and_nothing_else(tmp_path: Path) -> None:
    path = write(tmp_path, '# mine\ntheme.dark = "x"  # not a theme name\n[cache]\nsize_mb = 64\n')
    edit_top_level(path, "theme", lambda old: "nord")
    assert path.read_text() == '# mine\ntheme = "nord"\n[cache]\nsize_mb = 64\n'


def test_an_edit_that_cannot_be_made_cleanly_writes_nothing(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Every edit is read back before it is written: an edit that comes out other than meant
    (here: one that also drops a table) is refused and the file left as it was."""
    from nereader.core import config

    original = config._set

    def clumsy(document: Any, leaf: Any, value: object, in_place: bool) -> None:
        original(document, leaf, value, in_place)
        document.remove("politeness")

    monkeypatch.setattr(config, "_set", clumsy)
    path = write(tmp_path, HAND_EDITED)
    with pytest.raises(StorageError, match="edit it by hand"):
        edit_top_level(path, "theme", lambda old: "nord")
    assert path.read_text() == HAND_EDITED
    monkeypatch.undo()
    broken = write(tmp_path, 'follow = [\n')
    with pytest.raises(ConfigError, match="at the end of the file: invalid value"):
        edit_top_level(broken, "follow", lambda old: ["x"])
    assert broken.read_text() == "follow = [\n"


# -- what an edit keeps: line endings, a byte order mark, comments, every other key ---------------
RICH = """\
# nereader, by hand
base_url = 'http://127.0.0.1:9'   # a literal string
follow = [
    "networkextension",  # work
    "topics/app-and-system-services",
]
theme = "nord"

[politeness]
min_gap = 0  # loopback: no need to wait
retries = 2

[freshness]   # how long pages stay fresh
listing = 60

[keys]
"main.refresh" = "ctrl+r"
"app.quit" = "q,ctrl+q"   # and ctrl+q
"""


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(before.splitlines(keepends=True),
                                           after.splitlines(keepends=True))
            if line[:1] in "+-"]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_an_edit_changes_only_the_key_edited(tmp_path: Path, newline: str, bom: str) -> None:
    text = bom + RICH.replace("\n", newline)
    path = tmp_path / "config.toml"
    path.write_bytes(text.encode("utf-8"))
    assert read_layer(path).values["politeness.retries"] == 2  # a BOM reads
    edit_top_level(path, "theme", lambda old: "dracula")
    after = path.read_bytes().decode("utf-8")
    assert changed_lines(text, after) == [f'- theme = "nord"{newline}',
                                          f'+ theme = "dracula"{newline}']
    edit_top_level(path, "follow", lambda old: [*old, "wi-fi-aware"])  # type: ignore[misc]
    again = path.read_bytes().decode("utf-8")
    assert changed_lines(after, again) == [f'+     "wi-fi-aware",{newline}']
    edit_top_level(path, "follow", lambda old: old[1:])  # type: ignore[index]
    edit_top_level(path, "offline", lambda old: True)  # a key the file did not have
    last = path.read_bytes().decode("utf-8")
    assert last.startswith(bom + "# nereader, by hand" + newline)
    assert newline == "\r\n" or "\r" not in last
    assert newline == "\n" or "\n" not in last.replace("\r\n", "")  # every line CRLF
    assert last.count("\ufeff") == len(bom)
    assert "# loopback: no need to wait" in last and '"app.quit" = "q,ctrl+q"   # and ctrl+q' in last
    data = tomllib.loads(last.removeprefix("\ufeff"))
    assert data["follow"] == ["topics/app-and-system-services", "wi-fi-aware"]
    assert data["offline"] is True and data["base_url"] == "http://127.0.0.1:9"
    assert list(data) == ["base_url", "follow", "theme", "offline", "politeness", "freshness",
                          "keys"]


def test_inline_tables_and_arrays_of_tables_come_through_an_edit(tmp_path: Path) -> None:
    text = ('point = { x = 1, y = [1, 2] }  # inline\nfollow = ["a"]\n\n[[servers]]\n'
            'name = "one"\n\n[[servers]]\nname = "two"\n')
    path = write(tmp_path, text)
    edit_top_level(path, "follow", lambda old: ["a", "b"])
    after = path.read_text()
    assert changed_lines(text, after) == ['- follow = ["a"]\n', '+ follow = ["a", "b"]\n']
    edit_top_level(path, "follow", lambda old: None)  # None removes the key
    assert path.read_text() == text.replace('follow = ["a"]\n', "")


@pytest.mark.parametrize(("data", "expected"), [
    (b'theme = "nord"\nfollow = ["caf\xff"]\n', "line 2, column 15: byte 0xff is not UTF-8"),
    (b'\xef\xbb\xbftheme = "\xc3\xa9t\xc3\xa9\xe9"\n', "line 1, column 13: byte 0xe9 is not UTF-8"),
    ('theme = "nord"\n\ufeff[cache]\n'.encode(), "line 2, column 1: invalid statement: a byte "
     "order mark (U+FEFF) there, which belongs only at the very start"),
    ('theme = "nord"\u200b\n'.encode(), "line 1, column 15: expected newline or end of "
     "document after a statement: the character there is U+200B (zero width space)"),
])
def test_a_bad_byte_or_a_stray_mark_is_named_with_its_line_and_column(
        tmp_path: Path, data: bytes, expected: str) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(data)
    with pytest.raises(ConfigError) as caught:
        read_layer(path)
    assert str(caught.value).startswith(f"{path} {expected}"), str(caught.value)
    assert caught.value.exit_code == 2 and "\n" not in str(caught.value)
    with pytest.raises(ConfigError):  # and nothing is written over it
        edit_top_level(path, "theme", lambda old: "x")
    assert path.read_bytes() == data


slug = st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)
comment = st.from_regex(r"# [a-z ]{0,20}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(before=st.lists(slug, max_size=5, unique=True), after=st.lists(slug, max_size=5, unique=True),
       comments=st.lists(comment, max_size=3), multiline=st.booleans())
def test_editing_the_follow_list_gives_exactly_the_list(tmp_path_factory: pytest.TempPathFactory,
                                                        before: list[str], after: list[str],
                                                        comments: list[str],
                                                        multiline: bool) -> None:
    """Whatever the list was and becomes, the file then holds exactly it, every other setting
    is unchanged, and every comment line outside the list survives."""
    items = "".join(f'  "{s}",  # {s}\n' for s in before)
    listing = f"follow = [\n{items}]\n" if multiline else f"follow = {before!r}\n".replace("'", '"')
    text = "\n".join(comments) + "\n" + listing + '\n[freshness]\nlisting = 60\n# end\n'
    path = write(tmp_path_factory.mktemp("cfg"), text)
    edit_top_level(path, "follow", lambda old: after)
    new = path.read_text()
    assert tomllib.loads(new) == {"follow": after, "freshness": {"listing": 60}}
    for line in [*comments, "# end"]:
        assert line in new
