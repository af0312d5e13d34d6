"""Lambda packages: the same sources and pins give the same bytes; a changed source or a wrong pin does not."""

import zipfile
from io import BytesIO

import pytest

from ansible_collections.shoppulse.analytics.plugins.module_utils import lambda_package
from tests.conftest import CHECKOUT

HANDLER = CHECKOUT / "functions" / "test_db_connection" / "handler.py"
PINS = (("pg8000", "1.31.6"), ("scramp", "1.5.0"), ("asn1crypto", "1.5.1"))


def files(sources):
    found = {}
    for name, version in PINS:
        found.update(lambda_package.installed_files(name, version))
    found.update(lambda_package.source_files(sources))
    return found


def test_the_same_sources_give_the_same_bytes_whatever_the_files_times(tmp_path):
    copy = tmp_path / "handler.py"
    copy.write_bytes(HANDLER.read_bytes())
    first = lambda_package.build(files([{"src": str(HANDLER)}]))
    copy.touch()
    copy.chmod(0o700)

    assert lambda_package.build(files([{"src": str(copy)}])) == first


def test_entries_are_sorted_with_one_time_and_mode_and_no_bytecode():
    with zipfile.ZipFile(BytesIO(lambda_package.build(files([{"src": str(HANDLER)}])))) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == sorted(names) and "handler.py" in names and "pg8000/native.py" in names
    assert "scramp/core.py" in names and "asn1crypto/x509.py" in names
    assert not [name for name in names if name.endswith(".pyc") or "__pycache__" in name or name.endswith("RECORD")]
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.external_attr >> 16 for info in infos} == {0o100644}


def test_a_changed_source_changes_the_code_sha256(tmp_path):
    copy = tmp_path / "handler.py"
    copy.write_bytes(HANDLER.read_bytes() + b"\n# changed\n")

    before = lambda_package.code_sha256(lambda_package.build(files([{"src": str(HANDLER)}])))
    after = lambda_package.code_sha256(lambda_package.build(files([{"src": str(copy), "dest": "handler.py"}])))

    assert before != after


def test_a_version_other_than_the_pin_is_refused():
    with pytest.raises(lambda_package.PackageError, match=r"^packages: pg8000 1\.31\.6 is installed, the package pins 1\.30\.0"):
        lambda_package.installed_files("pg8000", "1.30.0")


def test_a_missing_source_is_refused(tmp_path):
    with pytest.raises(lambda_package.PackageError, match="^sources: .*nothing.py is not a file"):
        lambda_package.source_files([{"src": str(tmp_path / "nothing.py")}])
