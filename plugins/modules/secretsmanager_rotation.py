#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: secretsmanager_rotation
version_added: 0.2.0
short_description: Rotate a Secrets Manager secret now with its rotation function, and wait for the rotation to finish
description:
  - Starts a rotation of a secret with the rotation function configured on it (RotateSecret, immediately, keeping the
    function and schedule), then waits until the function has made the new version C(AWSCURRENT) and no other
    version carries C(AWSPENDING).
  - A rotation already in progress (C(AWSPENDING) on a version other than C(AWSCURRENT)) is waited for instead of
    starting another, which Secrets Manager would refuse; RV(resumed) is then true.
  - Fails at once, naming it, when the rotation function does not exist (Lambda GetFunctionConfiguration), in check
    mode too, since a rotation started or waited for with it could only time out.
  - Fails with the versions' last labels when the rotation does not finish within O(wait_timeout) seconds - the
    rotation function's log says why. The wait prints nothing until it ends; a playbook that should show each poll
    uses O(wait=false) and polls M(shoppulse.analytics.secretsmanager_secret_info) with C(until).
  - Always reports a change (a rotation is one); check mode starts nothing. Never reads or returns the value.
author:
  - ShopPulse platform team (@shoppulse)
options:
  name:
    description: The secret's name or ARN. It must have a rotation function (C(RotationLambdaARN)).
    type: str
    required: true
  wait:
    description: Wait for the rotation to finish. With V(false), returns once it has started.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for the rotation to finish.
    type: int
    default: 900
  wait_delay:
    description: Seconds between two reads of the secret's versions while waiting.
    type: int
    default: 10
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Supports check mode.
"""

EXAMPLES = r"""
- name: Rotate the master credentials now with their rotation function
  shoppulse.analytics.secretsmanager_rotation:
    name: shoppulse-analytics/rds/master
    wait_timeout: 600
  register: rotation
"""

RETURN = r"""
version_id:
  description: The rotation's version, C(AWSCURRENT) once the rotation has finished (null in check mode).
  returned: always
  type: str
previous_version_id:
  description: The version that was C(AWSCURRENT) before the rotation (C(AWSPREVIOUS) once it has finished).
  returned: always
  type: str
resumed:
  description: Whether a rotation already in progress was waited for rather than a new one started.
  returned: always
  type: bool
finished:
  description: Whether the rotation has finished (false with O(wait=false) or in check mode).
  returned: always
  type: bool
rotation_lambda_arn:
  description: The rotation function.
  returned: always
  type: str
versions:
  description: Each version id and its staging labels, as last read.
  returned: always
  type: dict
"""

import time
import uuid

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.shoppulse.analytics.plugins.module_utils.secrets import describe_secret
from ansible_collections.shoppulse.analytics.plugins.module_utils.secrets import holder

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

# Module-level so that tests can run the wait on a fake clock.
clock = time.monotonic
sleep = time.sleep


def in_progress(versions):
    """The version a rotation in progress is creating: AWSPENDING on a version that is not AWSCURRENT."""
    pending = holder(versions, "AWSPENDING")
    return pending if pending != holder(versions, "AWSCURRENT") else None


def finished(versions, version_id):
    return holder(versions, "AWSCURRENT") == version_id and in_progress(versions) is None


def describe_labels(versions):
    """The versions and their labels, for a failure message."""
    return ", ".join(f"{version}: {'+'.join(stages) or 'no label'}" for version, stages in sorted(versions.items()))


def check_function_exists(module, arn, function):
    """Fail naming the rotation function when Lambda does not know it."""
    client = module.client("lambda", retry_decorator=AWSRetry.jittered_backoff())
    try:
        client.get_function_configuration(aws_retry=True, FunctionName=function)
    except is_boto3_error_code("ResourceNotFoundException"):
        module.fail_json(msg=f"name: the rotation function {function} of the secret {arn} does not exist; deploy it, or "
                             "configure the secret with a function that does, then rotate again",
                         rotation_lambda_arn=function)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not read the rotation function {function} of the secret {arn}")


def wait_for(module, client, arn, version_id, versions):
    """Read the versions until the rotation to version_id has finished; fail with the last labels on timeout."""
    deadline = clock() + module.params["wait_timeout"]
    while not finished(versions, version_id):
        if clock() >= deadline:
            module.fail_json(
                msg=f"the rotation of {arn} to version {version_id} did not finish within {module.params['wait_timeout']} s; "
                    f"last labels: {describe_labels(versions)} (the rotation function's log says why)",
                version_id=version_id, versions=versions)
        sleep(module.params["wait_delay"])
        versions = describe_secret(module, client, arn).get("VersionIdsToStages", {})
    return versions


ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=900),
    wait_delay=dict(type="int", default=10),
)
OPTIONS: dict = {}


def run(module) -> None:
    """The module's work on its validated options; ``module`` is an AnsibleAWSModule or the in-process stand-in."""
    if module.params["wait_timeout"] < 1 or module.params["wait_delay"] < 1:
        module.fail_json(msg="wait_timeout, wait_delay: both must be at least 1 second")
    name = module.params["name"]
    client = module.client("secretsmanager", retry_decorator=AWSRetry.jittered_backoff())

    found = describe_secret(module, client, name)
    arn, function, versions = found["ARN"], found.get("RotationLambdaARN"), found.get("VersionIdsToStages", {})
    if found.get("DeletedDate"):
        module.fail_json(msg=f"name: the secret {arn} is scheduled for deletion")
    if not function:
        module.fail_json(msg=f"name: the secret {arn} has no rotation function (RotationLambdaARN) to rotate it with")
    check_function_exists(module, arn, function)

    # Changed when this run starts a rotation; one already under way is only waited for.
    result = dict(changed=in_progress(versions) is None, rotation_lambda_arn=function,
                  previous_version_id=holder(versions, "AWSCURRENT"),
                  resumed=False, finished=False, version_id=in_progress(versions), versions=versions)
    if result["version_id"] is not None:
        result["resumed"] = True
    elif module.check_mode:
        module.exit_json(**result)
    else:
        try:
            # One token for every retry: a retried call whose first attempt landed is the same rotation, not a second.
            result["version_id"] = client.rotate_secret(aws_retry=True, SecretId=arn, RotateImmediately=True,
                                                        ClientRequestToken=str(uuid.uuid4()))["VersionId"]
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Could not start a rotation of the secret {arn} with {function}")
        result["versions"] = describe_secret(module, client, arn).get("VersionIdsToStages", {})

    if module.params["wait"] and not module.check_mode:
        result["versions"] = wait_for(module, client, arn, result["version_id"], result["versions"])
        result["finished"] = True
    module.exit_json(**result)


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
