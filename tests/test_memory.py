"""The garbage collector's setting during the heavy stages (workbook/memory.py)."""

from __future__ import annotations

import gc

import pytest

from workbook.memory import long_lived


def test_a_stage_freezes_what_exists_and_gives_back_the_defaults_even_when_it_fails() -> None:
    default = gc.get_threshold()
    with pytest.raises(RuntimeError), long_lived():
        assert gc.get_threshold() != default  # collections run less often
        assert gc.get_freeze_count() > 0  # what existed is left out of them
        raise RuntimeError
    assert gc.get_threshold() == default and gc.get_freeze_count() == 0
