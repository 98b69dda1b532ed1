"""The offline assets: tools/fetch_vendor.py picks the right files out of each npm package, and
the folder it fills holds what book/_ext/offline_assets.py serves. No network needed: the
selection is tested on a tarball made here; the fetched folder is checked when present."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
import tarfile

import pytest

from built_book import REPO


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


fetch_vendor = load(REPO / "tools" / "fetch_vendor.py", "fetch_vendor")
offline_assets = load(REPO / "book" / "_ext" / "offline_assets.py", "offline_assets")


def make_tarball(path, names):
    with tarfile.open(path, "w:gz") as archive:
        for name in names:
            data = f"contents of {name}".encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def test_unpack_keeps_what_a_page_needs_and_nothing_else(tmp_path):
    asset = fetch_vendor.Asset(spec="demo@1.0.0", integrity="", folder="demo",
                               keep=("dist/", "LICENSE"), drop=("dist/embed.js",))
    tarball = tmp_path / "demo.tgz"
    make_tarball(tarball, [
        "package/dist/embed-amd.js", "package/dist/font.woff2", "package/dist/embed.js",
        "package/dist/embed-amd.js.map", "package/src/index.ts", "package/LICENSE",
        "package/../escape.js", "other/dist/x.js",
    ])
    count = fetch_vendor.unpack(tarball, asset, tmp_path / "vendor")
    found = sorted(p.relative_to(tmp_path / "vendor").as_posix()
                   for p in (tmp_path / "vendor").rglob("*") if p.is_file())
    # dist/ is flattened: the manager's fonts sit beside embed-amd.js, where it looks for them.
    assert found == ["demo/LICENSE", "demo/embed-amd.js", "demo/font.woff2"]
    assert count == 3


def test_every_pinned_package_has_a_digest_and_a_folder_the_extension_uses():
    folders = {asset.folder for asset in fetch_vendor.ASSETS}
    served = {offline_assets.MATHJAX, offline_assets.REQUIREJS, offline_assets.WIDGET_MANAGER}
    assert {path.split("/")[0] for path in served} == folders
    for asset in fetch_vendor.ASSETS:
        assert asset.integrity.startswith("sha512-") and "@" in asset.spec[1:]
    assert (REPO / offline_assets.VENDOR_DIR) == fetch_vendor.DEFAULT_DEST


def test_a_tampered_download_is_refused(tmp_path, monkeypatch):
    tarball = tmp_path / "x.tgz"
    make_tarball(tarball, ["package/require.js"])
    monkeypatch.setattr(fetch_vendor, "npm_pack", lambda spec, workdir: tarball)
    with pytest.raises(SystemExit, match="does not match its pinned digest"):
        fetch_vendor.fetch(tmp_path / "vendor", force=True)
    assert not (tmp_path / "vendor" / fetch_vendor.STAMP_NAME).exists()


def test_the_fetched_folder_is_complete_when_present():
    vendor = fetch_vendor.DEFAULT_DEST
    if not (vendor / fetch_vendor.STAMP_NAME).is_file():
        pytest.skip(f"{vendor} not fetched (run `python tools/fetch_vendor.py`; `make book` does)")
    assert json.loads((vendor / fetch_vendor.STAMP_NAME).read_text()) == fetch_vendor.wanted_versions()
    for path in (offline_assets.MATHJAX, offline_assets.REQUIREJS, offline_assets.WIDGET_MANAGER):
        assert (vendor / path).stat().st_size > 10_000, path
    # MathJax loads its fonts and TeX extensions from beside tex-chtml.js.
    assert list((vendor / "mathjax" / "output" / "chtml" / "fonts").rglob("*.woff"))
    assert (vendor / "mathjax" / "input" / "tex" / "extensions").is_dir()
