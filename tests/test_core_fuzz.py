"""The seeded fuzz of mutated workbooks and CSV folders (tests/fuzz_inputs.py): every outcome is
an import or a MonitorError, and a rejected import leaves the database exactly as it was.

Bounded for CI (about 200 cases); `python tests/fuzz_inputs.py 400 16` counts a larger run.
"""

from __future__ import annotations

from pathlib import Path

import fuzz_inputs
import pytest

CASES = 200
SEED = 16


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory, demo_db_template: Path) -> fuzz_inputs.Outcome:
    work = tmp_path_factory.mktemp("fuzz")
    cases = fuzz_inputs.generate(CASES, SEED, work / "cases")
    return fuzz_inputs.run(cases, demo_db_template, work)


def test_no_mutated_input_ends_in_a_traceback(outcome: fuzz_inputs.Outcome) -> None:
    assert outcome.tracebacks == []


def test_a_rejected_mutation_leaves_the_database_unchanged(outcome: fuzz_inputs.Outcome) -> None:
    assert outcome.changed_on_reject == []


def test_the_fuzz_exercises_both_outcomes(outcome: fuzz_inputs.Outcome) -> None:
    # a mutator that broke every input (or none) would test little
    assert outcome.rejected > CASES // 4 and outcome.accepted > CASES // 20
    assert outcome.accepted + outcome.rejected + len(outcome.tracebacks) == CASES


def test_the_same_seed_gives_the_same_cases(tmp_path: Path) -> None:
    a = [c.label for c in fuzz_inputs.generate(12, SEED, tmp_path / "a")]
    b = [c.label for c in fuzz_inputs.generate(12, SEED, tmp_path / "b")]
    assert a == b
