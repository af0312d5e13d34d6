#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: secretsmanager_secret_stage
version_added: 0.2.0
short_description: Put a staging label on a version of a Secrets Manager secret, creating the version if needed
description:
  - Attaches the staging label O(stage) to the version O(version_id) of a secret, moving it from the version that
    holds it (UpdateSecretVersionStage). A version that does not exist yet is created with O(secret_string) and the
    label (PutSecretValue with O(version_id) as its C(ClientRequestToken)).
  - Then takes the labels O(remove_stages) off that version. Together these are the steps of a rotation run from
    outside a rotation function - stage a new value as C(AWSPENDING), then move C(AWSCURRENT) to it and remove
    C(AWSPENDING); Secrets Manager moves C(AWSPREVIOUS) to the version C(AWSCURRENT) left.
  - Changes nothing when the version already carries O(stage) and none of O(remove_stages). Never returns a value.
author:
  - ShopPulse platform team (@shoppulse)
options:
  name:
    description: The secret's name or ARN.
    type: str
    required: true
  stage:
    description:
      - The staging label to attach to O(version_id), such as C(AWSPENDING) or C(AWSCURRENT) (1 to 256 characters).
      - A label is on one version at a time; it is removed from the version that holds it.
    type: str
    required: true
  version_id:
    description:
      - The version to label (32 to 64 characters). When it does not exist it is created with O(secret_string),
        this id being the request token that makes a retried call create it only once.
      - Omitted, a new version is created with a random id.
    type: str
  secret_string:
    description:
      - The value of the version to create; required when O(version_id) is omitted or does not exist yet.
      - When the version exists its value must be this one, as a version's value never changes.
    type: str
  remove_stages:
    description:
      - Labels to take off O(version_id) once it carries O(stage), such as C(AWSPENDING) when a rotation finishes.
      - C(AWSCURRENT) cannot be removed, only moved to another version with O(stage=AWSCURRENT).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Supports check mode and diff mode (the labels of each version before and after).
"""

EXAMPLES = r"""
- name: Stage a new value as AWSPENDING
  shoppulse.analytics.secretsmanager_secret_stage:
    name: shoppulse-analytics/rds/master
    stage: AWSPENDING
    secret_string: "{{ new_credentials | to_json }}"
  register: staged
  no_log: true

- name: Make it current; AWSPREVIOUS follows the old value, AWSPENDING is removed
  shoppulse.analytics.secretsmanager_secret_stage:
    name: shoppulse-analytics/rds/master
    stage: AWSCURRENT
    version_id: "{{ staged.version_id }}"
    remove_stages: [AWSPENDING]
"""

RETURN = r"""
version_id:
  description: The version that carries O(stage).
  returned: always
  type: str
  sample: 2b6b3c52-1c3c-4c5e-9a55-0c9e3d1a7f10
previous_version_id:
  description: The version O(stage) was moved from, or null when no version held it or nothing moved.
  returned: always
  type: str
created:
  description: Whether the version was created (or would be, in check mode).
  returned: always
  type: bool
versions:
  description: Each version id and its staging labels after the change (as they would be, in check mode).
  returned: always
  type: dict
  sample: {"2b6b3c52-1c3c-4c5e-9a55-0c9e3d1a7f10": ["AWSCURRENT"], "d4e5f6a7-0000-4000-8000-000000000000": ["AWSPREVIOUS"]}
"""

import copy
import uuid

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.shoppulse.analytics.plugins.module_utils.secrets import describe_secret
from ansible_collections.shoppulse.analytics.plugins.module_utils.secrets import holder

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

CURRENT = "AWSCURRENT"
PREVIOUS = "AWSPREVIOUS"


def relabelled(versions, stage, version_id, remove_stages):
    """The labels Secrets Manager ends with once ``stage`` is on ``version_id`` and ``remove_stages`` are off it."""
    after = copy.deepcopy(versions)
    after.setdefault(version_id, [])
    source = holder(after, stage)
    if source != version_id:
        if source is not None:
            after[source].remove(stage)
        after[version_id].append(stage)
        if stage == CURRENT and source is not None:  # AWSPREVIOUS follows the value AWSCURRENT left
            for stages in after.values():
                if PREVIOUS in stages:
                    stages.remove(PREVIOUS)
            after[source].append(PREVIOUS)
    after[version_id] = [label for label in after[version_id] if label not in remove_stages]
    return after


def validate(module):
    params = module.params
    if not 1 <= len(params["stage"]) <= 256:
        module.fail_json(msg=f"stage: '{params['stage']}' must be 1 to 256 characters")
    if params["version_id"] is not None and not 32 <= len(params["version_id"]) <= 64:
        module.fail_json(msg=f"version_id: '{params['version_id']}' must be 32 to 64 characters")
    if CURRENT in params["remove_stages"]:
        module.fail_json(msg="remove_stages: AWSCURRENT cannot be removed, only moved to another version (stage: AWSCURRENT)")
    if params["stage"] in params["remove_stages"]:
        module.fail_json(msg=f"remove_stages: {params['stage']} is the stage being attached")


def read_versions(module, client, name):
    found = describe_secret(module, client, name)
    if found.get("DeletedDate"):
        module.fail_json(msg=f"name: the secret {name} is scheduled for deletion")
    return found["ARN"], {version: list(stages) for version, stages in found.get("VersionIdsToStages", {}).items()}


def check_value(module, client, arn, version_id):
    """Fail when the existing version holds another value than secret_string (which is never echoed)."""
    try:
        value = client.get_secret_value(aws_retry=True, SecretId=arn, VersionId=version_id).get("SecretString")
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not read version {version_id} of the secret {arn}")
    if value != module.params["secret_string"]:
        module.fail_json(msg=f"secret_string: version {version_id} of {arn} holds another value, and a version's value never changes")


def apply(client, arn, stage, version_id, before, remove_stages):
    """Make the calls that turn ``before`` into relabelled(...)."""
    source = holder(before, stage)
    if source != version_id:
        move = {"MoveToVersionId": version_id}
        if source is not None:
            move["RemoveFromVersionId"] = source
        client.update_secret_version_stage(aws_retry=True, SecretId=arn, VersionStage=stage, **move)
    for label in remove_stages:
        if label in before[version_id]:
            client.update_secret_version_stage(aws_retry=True, SecretId=arn, VersionStage=label, RemoveFromVersionId=version_id)


ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    stage=dict(type="str", required=True),
    version_id=dict(type="str"),
    secret_string=dict(type="str", no_log=True),
    remove_stages=dict(type="list", elements="str", default=[]),
)
OPTIONS: dict = {}


def run(module) -> None:
    """The module's work on its validated options; ``module`` is an AnsibleAWSModule or the in-process stand-in."""
    validate(module)
    params = module.params
    client = module.client("secretsmanager", retry_decorator=AWSRetry.jittered_backoff())
    arn, before = read_versions(module, client, params["name"])

    version_id = params["version_id"] or str(uuid.uuid4())
    create = version_id not in before
    if create and params["secret_string"] is None:
        module.fail_json(msg=f"secret_string: version {version_id} of {arn} does not exist; give its value to create it")
    if not create and params["secret_string"] is not None:
        check_value(module, client, arn, version_id)

    after = relabelled(before, params["stage"], version_id, params["remove_stages"])
    changed = create or after != before
    if changed and not module.check_mode:
        try:
            if create:
                # VersionStages labels the new version at once; a new version carries none of remove_stages.
                client.put_secret_value(aws_retry=True, SecretId=arn, ClientRequestToken=version_id,
                                        SecretString=params["secret_string"], VersionStages=[params["stage"]])
            else:
                apply(client, arn, params["stage"], version_id, before, params["remove_stages"])
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Could not put {params['stage']} on version {version_id} of the secret {arn}")
        after = read_versions(module, client, arn)[1]

    source = holder(before, params["stage"])
    result = dict(
        changed=changed,
        version_id=version_id,
        previous_version_id=source if source != version_id else None,
        created=create,
        versions=after,
    )
    if module._diff:  # pylint: disable=protected-access
        result["diff"] = {"before": {"versions": before}, "after": {"versions": after}}
    module.exit_json(**result)


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
