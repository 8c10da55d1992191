"""The Capacitor config reader: JSON with positions, TS/JS by literal evaluation only."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.engine.errors import InputError
from auditor.engine.model import Computed, InputKind
from auditor.parse.ts_literal import TsLiteralError, parse_ts_config
from auditor.readers import open_input

TS = """import type { CapacitorConfig } from '@capacitor/cli';

const base = { appId: 'com.example.app' };
const config: CapacitorConfig = {
  ...base,
  webDir: `dist`,
  plugins: {
    CapacitorUpdater: {
      updateUrl: process.env.UPDATE_URL,
      appReadyTimeout: 1_000,
      publicKey: undefined,
      'statsUrl': "https:\\/\\/s\\u00e9",
    },
  },
} as const satisfies CapacitorConfig;

export default config;
"""


def test_ts_config_evaluates_literals_and_marks_computed_values():
    doc = parse_ts_config(TS)
    updater = doc.value["plugins"]["CapacitorUpdater"]
    assert doc.value["appId"] == "com.example.app" and doc.value["webDir"] == "dist"
    assert updater["updateUrl"] == Computed("process.env.UPDATE_URL")
    assert updater["appReadyTimeout"] == 1000 and "publicKey" not in updater
    assert updater["statsUrl"] == "https://sé"
    start, end = doc.pointers["/plugins/CapacitorUpdater/statsUrl#key"]
    assert TS[start:end] == "'statsUrl'"


@pytest.mark.parametrize(
    "text",
    [
        "export default { appId: 'a' } as CapacitorConfig;",
        "module.exports = { appId: 'a' };",
        "export const x = 1;\nconst c = { appId: 'a' };\nexport default c;",
        "const c = { appId: 'a' } satisfies CapacitorConfig;\nexport default (c);",
    ],
)
def test_export_patterns(text):
    assert parse_ts_config(text).value == {"appId": "a"}


def test_the_reader_makes_a_config_bundle(tmp_path):
    path = tmp_path / "capacitor.config.ts"
    path.write_text(TS, encoding="utf-8")
    bundle = open_input(path)
    assert bundle.kind is InputKind.CAPACITOR_CONFIG and bundle.document.value["webDir"] == "dist"


def test_json_config_reads_with_positions(tmp_path):
    path = tmp_path / "capacitor.config.json"
    path.write_text('{"appId": "a", "server": {"url": "http://x"}}', encoding="utf-8")
    bundle = open_input(path)
    assert bundle.document.pointers["/server/url#key"] == (26, 31)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("capacitor.config.ts", "const config = {;\nexport default config", "not valid TypeScript"),
        ("capacitor.config.js", "console.log('hi')", "no `export default`"),
        ("capacitor.config.json", "{appId: 'a'}", "not strict JSON"),
        ("capacitor.config.json", "[1]", "not an object"),
        ("capacitor.config.ts", "export default defineConfig({ appId: 'a' });", "exported config is computed"),
        ("capacitor.config.yaml", "appId: a", "no `export default`"),  # read as TS/JS by content: YAML is neither
    ],
)
def test_bad_configs_are_input_errors(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        open_input(path)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("capacitor.config.ts.prod", "import type { CapacitorConfig } from '@capacitor/cli';\nconst config: CapacitorConfig = { appId: 'a' };\nexport default config;\n"),
        ("app.capacitor.config.ts", "export default { appId: 'a', plugins: {} };\n"),
        ("release-config.json", '{"appId": "a", "plugins": {"CapacitorUpdater": {}}}'),
    ],
)
def test_configs_are_recognised_by_content_whatever_their_name(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert open_input(path).kind is InputKind.CAPACITOR_CONFIG


def test_a_json_update_response_is_not_taken_for_a_config(tmp_path):
    path = tmp_path / "answer.json"
    path.write_text('{"version": "1.0.0", "url": "https://x/b.zip", "checksum": "ab", "appId": "a"}', encoding="utf-8")
    assert open_input(path).kind is InputKind.UPDATE_RESPONSE


def test_an_encrypted_capgo_bundle_is_reported_as_such(tmp_path):
    import random

    path = tmp_path / "bundle.zip_encrypted.zip"
    path.write_bytes(b"{" + random.Random(7).randbytes(16 * 400 - 1))  # even when the first byte looks like JSON
    with pytest.raises(InputError, match="looks like an encrypted Capgo bundle"):
        open_input(path)


def test_random_text_is_not_called_an_encrypted_bundle(tmp_path):
    path = tmp_path / "notes.bin"
    path.write_bytes(b"hello world " * 400)
    with pytest.raises(InputError, match="not a Signed Web Bundle"):
        open_input(path)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([*list("{}[]()'\"`$,:;.=\\ \nabcx01-+*/"), "export default ", "as const", "...", "é", "module.exports = "]), max_size=40).map("".join))
def test_any_text_gives_a_document_or_a_ts_error(text):
    try:
        document = parse_ts_config(text)
    except TsLiteralError:
        return
    for start, end in document.pointers.values():
        assert 0 <= start <= end <= len(text)


@pytest.mark.parametrize("text", ["export default " + "[" * 100_000, "export default " + "[" * 50_000 + "]" * 50_000 + ";"])
def test_deep_nesting_is_bounded(text):
    try:
        document = parse_ts_config(text)
    except TsLiteralError:
        return
    assert document.value is not None


def test_only_const_bindings_are_resolved():
    doc = parse_ts_config("let u = 'http://a';\nconst n = null;\nexport default { u, n, x: -0x10 };")
    assert doc.value == {"u": Computed("u"), "n": None, "x": -16}
