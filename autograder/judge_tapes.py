"""Judging the tapes report (filled in below)."""

JUDGES = {}
