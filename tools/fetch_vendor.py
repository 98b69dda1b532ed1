#!/usr/bin/env python3
"""Fetch the browser assets the book serves itself, so that it works with no network.

By default a built page loads MathJax, require.js and the ipywidgets manager from CDNs:
offline, math stays raw TeX and widgets stay blank. This script takes those files from the
npm registry with `npm pack` (pinned versions, checked against pinned sha512 digests) and
unpacks only what a page needs into book/_vendor/, which _config.yml lists in
`html_static_path` (so Sphinx copies it into _build/html/_static/). book/_vendor/ is not
committed; `make book` runs this first. A second run with nothing changed does nothing.

Usage: python tools/fetch_vendor.py [--dest book/_vendor] [--force]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DEST = REPO_ROOT / "book" / "_vendor"
STAMP_NAME = "VERSIONS.json"


@dataclass(frozen=True)
class Asset:
    """One npm package: which files of it (paths under `package/`) go to which folder."""

    spec: str  # name@version, exactly as `npm pack` takes it
    integrity: str  # the tarball's sha512, as npm writes it
    folder: str  # under the destination
    keep: tuple[str, ...]  # path prefixes inside the package to copy
    drop: tuple[str, ...] = ()  # exact paths to leave out of what `keep` selects


ASSETS = (
    # MathJax 3 is what Sphinx 7's mathjax extension configures (mathjax3_config).
    # tex-chtml.js loads fonts, TeX extensions (autoload), the menu and its accessibility
    # tools from folders beside it; the other combined bundles and the SVG output are unused.
    Asset(
        spec="mathjax@3.2.2",
        integrity="sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
        folder="mathjax",
        keep=("LICENSE", "es5/tex-chtml.js", "es5/input/", "es5/output/chtml", "es5/ui/",
              "es5/a11y/", "es5/sre/", "es5/adaptors/"),
    ),
    # The widget manager loads its modules (base, controls, output) with require.js.
    Asset(
        spec="requirejs@2.3.8",
        integrity="sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
        folder="requirejs",
        keep=("require.js",),
    ),
    # The manager that renders embedded widget state; 1.0.x speaks ipywidgets 8's protocol.
    # embed-amd.js bundles base, controls and output, and loads its icon fonts from beside it.
    Asset(
        spec="@jupyter-widgets/html-manager@1.0.15",
        integrity="sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
        folder="html-manager",
        keep=("dist/",),
        drop=("dist/embed.js", "dist/libembed-amd.js"),
    ),
)


def sha512_integrity(path: Path) -> str:
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode("ascii")


def npm_pack(spec: str, workdir: Path) -> Path:
    """Download one package tarball with the machine's npm; return its path."""
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("fetch_vendor: `npm` is needed to fetch the book's offline assets "
                 "(install Node.js and npm, e.g. `apt-get install npm`).")
    result = subprocess.run([npm, "pack", "--json", "--silent", spec], cwd=workdir,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"fetch_vendor: `npm pack {spec}` failed:\n{result.stderr.strip()}")
    filename = json.loads(result.stdout)[0]["filename"]
    return workdir / filename


def selected(member: str, asset: Asset) -> str | None:
    """The member's path inside `package/` if the asset keeps it, else None."""
    parts = PurePosixPath(member).parts
    if len(parts) < 2 or parts[0] != "package" or ".." in parts:
        return None
    inner = "/".join(parts[1:])
    if inner.endswith(".map"):
        return None
    if not any(inner.startswith(prefix) for prefix in asset.keep):
        return None
    if inner in asset.drop:
        return None
    return inner


def unpack(tarball: Path, asset: Asset, dest: Path) -> int:
    """Copy the kept regular files of the tarball into dest/asset.folder; return the count."""
    target = dest / asset.folder
    if target.exists():
        shutil.rmtree(target)
    count = 0
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive.getmembers():
            inner = selected(member.name, asset)
            if inner is None or not member.isfile():
                continue
            # Drop the build-tool folder level (es5/, dist/): tex-chtml.js sits at mathjax/.
            relative = inner.split("/", 1)[1] if inner.startswith(("es5/", "dist/")) else inner
            out = target / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            with archive.extractfile(member) as source, open(out, "wb") as sink:
                shutil.copyfileobj(source, sink)
            count += 1
    if count == 0:
        sys.exit(f"fetch_vendor: nothing of {asset.spec} matched {asset.keep}")
    return count


def wanted_versions() -> dict[str, str]:
    return {asset.folder: asset.spec for asset in ASSETS}


def up_to_date(dest: Path) -> bool:
    stamp = dest / STAMP_NAME
    try:
        return json.loads(stamp.read_text()) == wanted_versions()
    except (OSError, ValueError):
        return False


def fetch(dest: Path, force: bool = False) -> None:
    if not force and up_to_date(dest):
        return
    dest.mkdir(parents=True, exist_ok=True)
    (dest / STAMP_NAME).unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="ttt-vendor-") as workdir:
        for asset in ASSETS:
            tarball = npm_pack(asset.spec, Path(workdir))
            actual = sha512_integrity(tarball)
            if actual != asset.integrity:
                sys.exit(f"fetch_vendor: {asset.spec} does not match its pinned digest "
                         f"(got {actual}); refusing to use it.")
            count = unpack(tarball, asset, dest)
            print(f"fetch_vendor: {asset.spec}: {count} files -> {dest / asset.folder}")
    # Written last: an interrupted fetch is redone next time.
    (dest / STAMP_NAME).write_text(json.dumps(wanted_versions(), indent=2) + "\n")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST,
                        help="folder to fill (default: book/_vendor)")
    parser.add_argument("--force", action="store_true", help="fetch even if up to date")
    args = parser.parse_args(argv)
    fetch(args.dest, force=args.force)


if __name__ == "__main__":
    main()
