"""Judging the tensors report (filled in below)."""

JUDGES = {}
