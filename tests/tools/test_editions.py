"""tools/editions.py: the Chinese edition's toc and configuration derived from the English
ones, and build_book's copy of the built edition into the site (conftest.tiny_repo: ch/b
has no Chinese page)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

import build_book
import editions


def test_a_missing_chinese_page_stops_the_build_naming_it(tiny_repo):
    with pytest.raises(editions.EditionError, match=r"no Chinese page for book/ch/b\.md "
                       r"\(expected at book/zh-CN/ch/b\.md\)"):
        editions.derive_toc(tiny_repo)


def test_the_toc_mirrors_the_english_one_with_chinese_captions(tiny_repo):
    (tiny_repo / "book" / "zh-CN" / "ch" / "b.md").write_text("# b\n")
    toc, keys = editions.derive_toc(tiny_repo)
    assert toc == {"format": "jb-book", "root": "intro", "parts": [
        {"caption": "章节", "chapters": [
            {"file": "ch/index", "sections": [{"file": "ch/a"}, {"file": "ch/b"}]}]},
        {"caption": "附录", "chapters": [{"file": "glossary"}]}]}
    assert keys == ["intro", "ch/index", "ch/a", "ch/b", "glossary"]


def test_allowing_missing_pages_leaves_them_out_with_what_they_hold(tiny_repo):
    toc, keys = editions.derive_toc(tiny_repo, allow_missing=True)
    assert keys == ["intro", "ch/index", "ch/a", "glossary"]
    (tiny_repo / "book" / "zh-CN" / "ch" / "index.md").unlink()
    toc, keys = editions.derive_toc(tiny_repo, allow_missing=True)
    assert keys == ["intro", "glossary"]  # the chapter's sections went with it
    assert toc["parts"] == [{"caption": "附录", "chapters": [{"file": "glossary"}]}]


def test_an_untranslated_caption_stops_the_build(tiny_repo):
    toc = tiny_repo / "_toc.yml"
    toc.write_text(toc.read_text().replace("caption: Appendix", "caption: Extras"))
    with pytest.raises(editions.EditionError, match="caption 'Extras' has no translation"):
        editions.derive_toc(tiny_repo, allow_missing=True)


def test_the_configuration_is_the_english_one_with_the_overrides(tiny_repo):
    english = yaml.safe_load((tiny_repo / "_config.yml").read_text())
    config = editions.derive_config(tiny_repo)
    assert config["title"] == "张量、梯度带与训练"
    assert config["sphinx"]["config"]["language"] == "zh_CN"
    # Everything else is the English edition's.
    assert config["execute"] == english["execute"]
    assert config["launch_buttons"] == english["launch_buttons"]
    for name, value in english["sphinx"]["config"].items():
        assert config["sphinx"]["config"][name] == value
    assert config["repository"]["path_to_book"] == "book/zh-CN"
    extensions = config["sphinx"]["local_extensions"]
    assert set(extensions) == set(english["sphinx"]["local_extensions"])
    assert all(Path(path) == tiny_repo / "book" / "_ext" for path in extensions.values())


def test_the_derived_files_are_rewritten_only_when_they_change(tiny_repo, tmp_path):
    (tiny_repo / "book" / "zh-CN" / "ch" / "b.md").write_text("# b\n")
    config, toc, _ = editions.write_derived(tmp_path / "zh", tiny_repo)
    os.utime(config, (1, 1))
    editions.write_derived(tmp_path / "zh", tiny_repo)
    assert config.stat().st_mtime == 1
    assert "root: intro" in toc.read_text(encoding="utf-8")


def test_pages_map_between_the_editions():
    en, zh = editions.english(), editions.chinese()
    assert en.docname("tensors/index") == "book/tensors/index"
    assert zh.docname("tensors/index") == "tensors/index"
    assert en.key("book/tapes/jacobians") == zh.key("tapes/jacobians") == "tapes/jacobians"
    assert en.html_path("intro") == "book/intro.html"
    assert zh.html_path("intro") == "zh-CN/intro.html"
    assert zh.page("glossary") == editions.REPO / "book" / "zh-CN" / "glossary.md"


def test_the_built_edition_is_mirrored_into_the_site(tmp_path):
    built, site = tmp_path / "built", tmp_path / "site"
    (built / "a").mkdir(parents=True)
    (built / "a" / "page.html").write_text("one")
    (built / "index.html").write_text("index")
    build_book.mirror(built, site)
    assert (site / "a" / "page.html").read_text() == "one"
    (built / "a" / "page.html").write_text("two, longer")
    (built / "index.html").unlink()
    (built / "b").mkdir()
    (built / "b" / "new.html").write_text("new")
    (site / "stale").mkdir()
    (site / "stale" / "old.html").write_text("old")
    build_book.mirror(built, site)
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert files == ["a/page.html", "b/new.html"]
    assert (site / "a" / "page.html").read_text() == "two, longer"
    assert not (site / "stale").exists()


@pytest.mark.parametrize("text, said", [
    ("code: zh-CN\nlabel: [unclosed\n", "cannot be read"),
    ("code: zh-CN\nlabel: 中文\n", "needs language"),
    ("- a list\n", "needs code, language, label"),
])
def test_a_broken_edition_file_is_named_in_one_line(tiny_repo, text, said):
    (tiny_repo / "book" / "zh-CN" / "_edition.yml").write_text(text, encoding="utf-8")
    with pytest.raises(editions.EditionError) as refused:
        editions.chinese(tiny_repo)
    assert str(refused.value).startswith("book/zh-CN/_edition.yml: ") and said in str(refused.value)
    assert "\n" not in str(refused.value)
