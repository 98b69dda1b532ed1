"""Judging the variables report (filled in below)."""

JUDGES = {}
