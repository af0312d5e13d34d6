# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deterministic Lambda packages: the same sources and pinned packages give the same zip, byte for byte, so that the
package's SHA-256 (Lambda's CodeSha256) changes only when what is in it does."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from importlib import metadata
from pathlib import Path

# Every entry gets the same time (the earliest a zip can hold), mode and compression, in name order.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644 << 16  # a regular file, rw-r--r--
COMPRESS_LEVEL = 9


class PackageError(ValueError):
    """A source or package that cannot go into the zip; the message names it."""


def installed_files(name: str, version: str) -> dict[str, bytes]:
    """The files of an installed distribution at the pinned version: its modules and its METADATA, without compiled
    bytecode or install records (which differ between installs)."""
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        raise PackageError(f"packages: {name} is not installed where Ansible runs; install {name}=={version} "
                           "(requirements.txt pins it)") from None
    if dist.version != version:
        raise PackageError(f"packages: {name} {dist.version} is installed, the package pins {version}; "
                           f"install {name}=={version}")
    found = {}
    for entry in dist.files or []:
        parts = Path(str(entry)).parts
        info = parts[0].endswith(".dist-info")
        if parts[0] == ".." or "__pycache__" in parts or entry.suffix == ".pyc":
            continue
        if info and parts[-1] not in ("METADATA", "LICENSE", "LICENSE.txt"):
            continue
        found[Path(*parts).as_posix()] = Path(entry.locate()).read_bytes()
    return found


def source_files(sources: list[dict]) -> dict[str, bytes]:
    """Each source file ({src, dest}) read from disk under its name in the zip."""
    found = {}
    for source in sources:
        path = Path(source["src"])
        if not path.is_file():
            raise PackageError(f"sources: {path} is not a file")
        found[source.get("dest") or path.name] = path.read_bytes()
    return found


def build(files: dict[str, bytes]) -> bytes:
    """The zip of ``files`` ({name in the zip: content}): sorted, fixed times and modes, no folder entries."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.external_attr = FILE_MODE
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever builds it
            archive.writestr(info, files[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL)
    return out.getvalue()


def environment_sha256(variables: dict) -> str:
    """A function's environment variables as a hex SHA-256 of their canonical JSON: what a read returns so that they
    can be compared without being shown."""
    return hashlib.sha256(json.dumps(variables, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def code_sha256(data: bytes) -> str:
    """The SHA-256 of a package as Lambda gives it (CodeSha256): base64 of the digest."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()
