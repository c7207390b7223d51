"""Outputs are the bytes recorded in output_hashes.json (see output_hashes.py for when to record)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from output_hashes import RECORDED, differences, output_hashes


@pytest.mark.slow
def test_every_output_is_the_bytes_recorded(tmp_path: Path) -> None:
    now = output_hashes(tmp_path)
    assert len(now) > 100
    assert differences(json.loads(RECORDED.read_text()), now) == []
