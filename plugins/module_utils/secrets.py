# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared code for the Secrets Manager modules: describing a secret and reading its version stages."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def holder(versions: dict, stage: str) -> str | None:
    """The id of the version carrying a staging label, or None."""
    return next((version for version, stages in versions.items() if stage in stages), None)


def describe_secret(module, client, name: str, missing_ok: bool = False) -> dict | None:
    """DescribeSecret; a secret that does not exist is None with ``missing_ok``, else a one-line failure naming it,
    as is any error reading it."""
    try:
        return client.describe_secret(aws_retry=True, SecretId=name)
    except is_boto3_error_code("ResourceNotFoundException"):
        if missing_ok:
            return None
        module.fail_json(msg=f"name: no secret {name}")
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not describe the secret {name}")
    return {}  # not reached: fail_json exits
