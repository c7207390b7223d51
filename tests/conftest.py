"""Shared fixtures: the bundled sample and a place for outputs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # lets tests import libreoffice.py and builders

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "scs-kpi-tracker-2019-20.xlsx"


@pytest.fixture
def sample() -> Path:
    """The bundled sample workbook (never modified by a test: tests copy it when they need to)."""
    return SAMPLE
