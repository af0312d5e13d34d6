"""The fidelity registry is documented, referenced and tested, entry by entry."""

from pathlib import Path

from localenv import fidelity
from localenv.fidelity.__main__ import DOC, render

TESTS = Path(__file__).resolve().parent


def test_fidelity_md_lists_every_entry():
    text = DOC.read_text(encoding="utf-8")
    assert render(text) == text, "localenv/FIDELITY.md is out of date: run `make fidelity-doc`"


def test_every_entry_cites_the_aws_reference():
    for key, item in fidelity.load().items():
        assert item.reference.startswith("https://docs.aws.amazon.com/"), key
        assert item.moto and item.aws and item.api, key


def test_every_service_module_has_its_own_tests():
    for key, item in fidelity.load().items():
        service = item.patch.__module__.rsplit(".", 1)[-1]
        assert (TESTS / f"test_fidelity_{service}.py").exists(), f"{key}: no tests/localenv/test_fidelity_{service}.py"


def test_apply_all_is_idempotent():
    first = fidelity.apply_all()
    assert fidelity.apply_all() == first == sorted(fidelity.load())
