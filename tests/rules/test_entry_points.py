"""LNK rules: entry points built to break one thing, and their allowed neighbours."""

from __future__ import annotations

from helpers import audit_lines, position, position_after
from test_manifest import GOOD, M, manifest_app, q

FILES_KEY = '"files": '
CSV_KEY = '"text/csv": '


def lines(app, select, **members):
    path, text = manifest_app(app, {**GOOD, **members}, **{"open.html": "<p>", "share.html": "<p>"})
    return audit_lines(path, select), text


def handler(protocol="web+chat", url="/open.html?u=%s"):
    return {"protocol_handlers": [{"protocol": protocol, "url": url}]}


def test_lnk001_flags_missing_placeholder_and_other_origin(app):
    found, text = lines(app, "LNK001", protocol_handlers=[{"protocol": "web+a", "url": "/open.html"}, {"protocol": "web+b", "url": "https://e.com/?%s"}])
    assert found == [
        f"LNK001 error {M}:{position(text, q('/open.html'))} handler url \"/open.html\" has no `%s`; Chrome drops the handler",
        f"LNK001 error {M}:{position(text, q('https://e.com/?%s'))} handler url \"https://e.com/?%s\" is not on the app origin; Chrome drops the handler",
    ]


def test_lnk001_warns_placeholder_in_path(app):
    found, text = lines(app, "LNK001", **handler(url="/open/%s"))
    assert found == [f"LNK001 warning {M}:{position(text, q('/open/%s'))} handler url \"/open/%s\" has `%s` outside the query; the IWA handler level needs it once, in the query"]


def test_lnk001_allows_placeholder_once_in_query(app):
    assert lines(app, "LNK001", **handler())[0] == []


def test_lnk002_flags_digits_and_notes_iwa_level_scheme(app):
    found, text = lines(app, "LNK002", protocol_handlers=[{"protocol": "myproto3", "url": "/open.html?u=%s"}, {"protocol": "iwa-scheme", "url": "/open.html?u=%s"}])
    assert found == [
        f"LNK002 error {M}:{position(text, q('myproto3'))} scheme `myproto3` is invalid: use `web+` and letters, a safelisted scheme, or letters joined by single dashes",
        f"LNK002 note {M}:{position(text, q('iwa-scheme'))} scheme `iwa-scheme` is neither `web+…` nor safelisted: only Chrome's newer IWA handler level (Chrome 140+) accepts it",
    ]


def test_lnk002_flags_web_plus_with_digits(app):
    found, _ = lines(app, "LNK002", **handler(protocol="web+chat2"))
    assert [ln.split(" ")[:2] for ln in found] == [["LNK002", "error"]]


def test_lnk002_allows_web_plus_letters_and_safelisted(app):
    found, _ = lines(app, "LNK002", protocol_handlers=[{"protocol": "Web+Chat", "url": "/open.html?u=%s"}, {"protocol": "mailto", "url": "/open.html?u=%s"}])
    assert found == []


def test_lnk003_flags_off_origin_shortcut_and_missing_share_action(app):
    found, text = lines(app, "LNK003", shortcuts=[{"name": "n", "url": "https://chat.example.com/new"}], share_target={"action": "/inbox"})
    assert found == [
        f"LNK003 error {M}:{position(text, q('https://chat.example.com/new'))} `shortcuts[0].url` \"https://chat.example.com/new\" is not on the app origin; Chrome drops it",
        f"LNK003 warning {M}:{position(text, q('/inbox'))} `share_target.action` \"/inbox\" names `/inbox`, which the app does not contain",
    ]


def test_lnk003_allows_entry_points_in_the_app(app):
    found, _ = lines(app, "LNK003", shortcuts=[{"name": "n", "url": "/open.html?new"}], share_target={"action": "../share.html"}, note_taking={"new_note_url": "/open.html"})
    assert found == []


def test_lnk004_flags_files_with_get(app):
    found, text = lines(app, "LNK004", share_target={"action": "/share.html", "method": "GET", "params": {"files": [{"name": "f", "accept": ["image/*"]}]}})
    assert found == [f"LNK004 error {M}:{position_after(text, FILES_KEY)} `share_target.params.files` needs method POST and enctype multipart/form-data"]


def test_lnk004_allows_multipart_post(app):
    share = {"action": "/share.html", "method": "post", "enctype": "multipart/form-data", "params": {"files": [{"name": "f", "accept": ["image/*"]}]}}
    assert lines(app, "LNK004", share_target=share)[0] == []


def test_lnk005_flags_bare_extension_key(app):
    found, text = lines(app, "LNK005", file_handlers=[{"action": "/open.html", "accept": {"csv": ["csv"]}, "name": "x"}])
    assert found == [f"LNK005 error {M}:{position(text, q('csv'))} `accept` key `csv` is not a MIME type"]


def test_lnk005_flags_extension_without_dot(app):
    found, text = lines(app, "LNK005", file_handlers=[{"action": "/open.html", "accept": {"text/csv": ["csv"]}}])
    assert found == [f"LNK005 error {M}:{position_after(text, CSV_KEY)} `accept[\"text/csv\"]` must be file extensions starting with `.`"]


def test_lnk005_allows_mime_to_extensions(app):
    assert lines(app, "LNK005", file_handlers=[{"action": "/open.html", "accept": {"text/csv": [".csv"], "image/*": ".png"}}])[0] == []


def test_lnk006_flags_unknown_client_mode(app):
    found, text = lines(app, "LNK006", launch_handler={"client_mode": ["reuse-existing", "auto"]})
    assert found == [
        f"LNK006 warning {M}:{position(text, q('reuse-existing'))} `client_mode` \"reuse-existing\" is not one of auto, focus-existing, navigate-existing, navigate-new"
    ]


def test_lnk006_allows_known_client_mode(app):
    assert lines(app, "LNK006", launch_handler={"client_mode": "navigate-existing"})[0] == []


OTHER = "aerugqztij5biqquuk3mfwpsaibuegaqcitgfchwuosuofdjabzqaaic"
OWN = "dmgnqho3azfuobfmtrfkslfhfuxwagj4ispb5evqu4yhsjf3drlaaaic"


def test_lnk007_flags_link_and_window_open_to_another_app(app):
    html = f'<!doctype html>\n<p>x</p>  <a href="isolated-app://{OTHER}/">Notes</a>'
    script = f"const go = () => window.open(`isolated-app://{OTHER}/new`);\nlocation.href = 'isolated-app://{OWN}/ok';"
    path, _ = manifest_app(app, GOOD, **{"index.html": html, "app.js": script})
    message = f"`isolated-app://{OTHER}/…` links to another IWA: Chrome silently drops navigations between IWAs and from the web into one"
    assert audit_lines(path, "LNK007", settings={"expect_id": OWN}) == [
        f"LNK007 warning /app.js:{position(script, '`isolated-app')} {message}",
        f"LNK007 warning /index.html:{position(html, '<a ')} {message}",
    ]


def test_lnk007_allows_own_id_and_protocol_handler_links(app):
    html = f'<a href="isolated-app://{OWN}/settings.html">Settings</a> <a href="web+notes:open">Notes</a>'
    path, _ = manifest_app(app, GOOD, **{"index.html": html, "app.js": "open('web+notes:new')"})
    assert audit_lines(path, "LNK007", settings={"expect_id": OWN}) == []
