"""The garbage collector's setting during the heavy stages (workbook/memory.py)."""

from __future__ import annotations

import gc

from workbook.memory import keep, long_lived


def test_a_stage_within_a_stage_keeps_the_outer_setting_until_the_outer_ends() -> None:
    default = gc.get_threshold()
    with long_lived():
        settled = gc.get_threshold()
        assert settled != default
        with long_lived():  # reconcile within reconcile_and_report
            pass
        assert gc.get_threshold() == settled  # the inner end did not restore the defaults
        results = [object() for _ in range(3)]
        before = gc.get_freeze_count()
        keep()
        assert gc.get_freeze_count() > before  # left out of later collections
    assert gc.get_threshold() == default and gc.get_freeze_count() == 0
    del results
