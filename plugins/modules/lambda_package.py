#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: lambda_package
version_added: 0.3.0
short_description: Build a Lambda zip package that does not churn
description:
  - Builds a zip of source files and pinned, installed Python distributions where it runs, with the entries in name
    order, one fixed time, one file mode and fixed compression, so that the same sources and pins give the same
    bytes; M(amazon.aws.lambda) then compares the package's SHA-256 with the function's C(CodeSha256) and changes
    nothing on a second run.
  - Writes O(dest) only when its content differs; in check mode a package that differs goes to a temporary file
    instead, whose path RV(dest) returns, and O(dest) is left as it is. Fails, naming it, on a source that is not a file or a distribution
    that is not installed at the pinned version.
author:
  - ShopPulse platform team (@shoppulse)
options:
  dest:
    description: Path of the zip file to write.
    type: path
    required: true
  sources:
    description: Files to put at the top of the package.
    type: list
    elements: dict
    required: true
    suboptions:
      src:
        description: The file to read.
        type: path
        required: true
      dest:
        description: Its name in the package; the file's own name by default.
        type: str
  packages:
    description: Installed Python distributions to bundle, each at its pinned version (their modules and METADATA).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The distribution's name.
        type: str
        required: true
      version:
        description: The version it must have.
        type: str
        required: true
notes:
  - Supports check mode and diff.
"""

EXAMPLES = r"""
- name: Build the test-db-connection package
  shoppulse.analytics.lambda_package:
    dest: /tmp/test-db-connection.zip
    sources:
      - src: functions/test_db_connection/handler.py
    packages:
      - {name: pg8000, version: 1.31.6}
      - {name: scramp, version: 1.5.0}
      - {name: asn1crypto, version: 1.5.1}
"""

RETURN = r"""
dest:
  description: The zip file (in check mode, the temporary file of a package that differs from O(dest)).
  returned: always
  type: str
code_sha256:
  description: The package's SHA-256 as Lambda reports it (base64 of the digest).
  returned: always
  type: str
size:
  description: The package's size in bytes.
  returned: always
  type: int
files:
  description: The names in the package, in order.
  returned: always
  type: list
  elements: str
"""

import os
import tempfile
from pathlib import Path

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.shoppulse.analytics.plugins.module_utils.lambda_package import PackageError
from ansible_collections.shoppulse.analytics.plugins.module_utils.lambda_package import build
from ansible_collections.shoppulse.analytics.plugins.module_utils.lambda_package import code_sha256
from ansible_collections.shoppulse.analytics.plugins.module_utils.lambda_package import installed_files
from ansible_collections.shoppulse.analytics.plugins.module_utils.lambda_package import source_files


ARGUMENT_SPEC = dict(
    dest=dict(type="path", required=True),
    sources=dict(type="list", elements="dict", required=True,
                 options=dict(src=dict(type="path", required=True), dest=dict(type="str"))),
    packages=dict(type="list", elements="dict", default=[],
                  options=dict(name=dict(type="str", required=True), version=dict(type="str", required=True))),
)
OPTIONS: dict = {}


def run(module):
    """Build the package and write it where it differs; ``module`` is an AnsibleModule or the in-process stand-in."""
    dest = Path(module.params["dest"])
    try:
        files = {}
        for package in module.params["packages"]:
            files.update(installed_files(package["name"], package["version"]))
        files.update(source_files(module.params["sources"]))
    except (PackageError, OSError) as exc:
        module.fail_json(msg=str(exc))
    data = build(files)
    before = code_sha256(dest.read_bytes()) if dest.is_file() else None
    result = dict(dest=str(dest), code_sha256=code_sha256(data), size=len(data), files=sorted(files),
                  changed=before != code_sha256(data),
                  diff=dict(before=f"code_sha256: {before}\n", after=f"code_sha256: {code_sha256(data)}\n"))
    if result["changed"] and module.check_mode:
        # dest stays as it is; the package goes to a file of its own, so that the tasks after can compare its hash.
        handle, preview = tempfile.mkstemp(prefix=f"{dest.stem}-check-", suffix=".zip")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        result["dest"] = preview
    elif result["changed"]:
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(f".{dest.name}.partial")
        partial.write_bytes(data)
        partial.replace(dest)
    module.exit_json(**result)


def main():
    run(AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
