"""Removing a workspace: read-only folders opened up again, and folders that another grader
removes at the same time skipped, not an error."""

from __future__ import annotations

import os
import shutil

from autograder.sandbox import workspace


def _tree(root):
    for name in ("kernel-lib/book/ttt", "kernel-lib/autograder", "scratch/0/work"):
        (root / name).mkdir(parents=True)
        (root / name / "module.py").write_text("x = 1\n")
    for folder, subfolders, _ in os.walk(root, topdown=False):
        os.chmod(folder, 0o555)  # as the kernel library is: read-only, even to the grader


def test_read_only_folders_become_removable(tmp_path):
    root = tmp_path / "ttt-grade-1-x"
    _tree(root)
    workspace.make_removable(root)
    shutil.rmtree(root)
    assert not root.exists()


def test_a_folder_removed_by_another_grader_meanwhile_is_skipped(tmp_path, monkeypatch):
    root = tmp_path / "ttt-grade-1-x"
    _tree(root)
    real_chmod = os.chmod
    gone = []

    def chmod_while_another_grader_clears(path, mode):
        real_chmod(path, mode)
        if not gone and str(path) == str(root):  # the other grader takes kernel-lib first
            real_chmod(root / "kernel-lib", 0o755)
            for folder, _, _ in os.walk(root / "kernel-lib"):
                real_chmod(folder, 0o755)
            shutil.rmtree(root / "kernel-lib")
            gone.append(True)

    monkeypatch.setattr(workspace.os, "chmod", chmod_while_another_grader_clears)
    workspace.make_removable(root)  # no FileNotFoundError
    assert gone
    monkeypatch.undo()
    shutil.rmtree(root)
    assert not root.exists()
