"""Secrets Manager: which version is current, and when a rotation may start, as the API reference describes."""

from __future__ import annotations

import functools
from typing import Any

from localenv.fidelity import entry

API = "https://docs.aws.amazon.com/secretsmanager/latest/apireference"


def _models() -> Any:
    from moto.secretsmanager import models  # pylint: disable=import-outside-toplevel  # patched at start, before serving

    return models


def _labelled(secret: Any, stage: str) -> str | None:
    """The id of the version carrying a staging label, or None."""
    return next((version for version, value in secret.versions.items() if stage in value["version_stages"]), None)


@entry(
    key="secretsmanager-current-version-follows-label",
    api="UpdateSecretVersionStage, GetSecretValue, PutSecretValue",
    moto="moving `AWSCURRENT` with UpdateSecretVersionStage moves the label only: GetSecretValue without `VersionId` "
    "or `VersionStage` still returns the old version, and a later PutSecretValue labels that old version "
    "`AWSPREVIOUS`, leaving two versions labelled `AWSCURRENT`",
    aws="the version labelled `AWSCURRENT` is the secret's current value: GetSecretValue without `VersionId` or "
    "`VersionStage` returns it, and when `AWSCURRENT` moves, `AWSPREVIOUS` moves to the version it left",
    reference=f"{API}/API_UpdateSecretVersionStage.html",
)
def current_version_follows_label() -> None:
    models = _models()
    original = models.SecretsManagerBackend.update_secret_version_stage

    @functools.wraps(original)
    def update_secret_version_stage(self: Any, secret_id: str, version_stage: str, remove_from_version_id: str,
                                    move_to_version_id: str) -> tuple[str, str]:
        result = original(self, secret_id, version_stage, remove_from_version_id, move_to_version_id)
        if version_stage == "AWSCURRENT" and move_to_version_id:
            self.secrets[secret_id].set_default_version_id(move_to_version_id)
        return result

    models.SecretsManagerBackend.update_secret_version_stage = update_secret_version_stage


def _refuse_missing_function(backend: Any, function: str | None) -> None:
    """Refuse, before anything is stored, a rotation with no function to run or with one that does not exist."""
    from moto.awslambda.utils import get_backend  # pylint: disable=import-outside-toplevel
    from moto.secretsmanager.exceptions import (  # pylint: disable=import-outside-toplevel
        InvalidRequestException,
        ResourceNotFoundException,
    )

    if not function:
        raise InvalidRequestException("No Lambda rotation function ARN is associated with this secret.")
    try:
        get_backend(backend.account_id, backend.region_name).get_function(function)
    except Exception as missing:  # moto's Lambda answers an unknown function with its own not-found error
        raise ResourceNotFoundException(f"Resource not found for ARN '{function}'.") from missing


@entry(
    key="secretsmanager-rotate-secret-in-progress",
    api="RotateSecret",
    moto="without `RotationLambdaARN` the configured function is dropped and the secret is \"rotated\" with no function "
    "(`AWSCURRENT` on a new version without a value, after which GetSecretValue fails), also when no function was ever "
    "configured; with a function that does not exist the call fails but stores the ARN, the rotation rules and an "
    "`AWSPENDING` version; a rotation is refused when `AWSPENDING` is on the `AWSCURRENT` version (a finished rotation) "
    "and started while it is on another version (one in progress); GetSecretValue without a stage returns the pending "
    "version before the function has finished",
    aws="without the configuration parameters the rotation starts with the function already stored in the secret, and "
    "with none stored the call is `InvalidRequestException` (rotation on a secret without a Lambda function ARN, none "
    "given); a function that cannot be found is `ResourceNotFoundException`; a refused call changes nothing; "
    "`AWSPENDING` on the `AWSCURRENT` version or on no version means the last rotation finished, on another version "
    "that a rotation is in progress, and RotateSecret then returns an error; `AWSCURRENT` moves only when the "
    "function's finishSecret step moves it",
    reference=f"{API}/API_RotateSecret.html",
)
def rotate_secret_in_progress() -> None:
    models = _models()
    from moto.secretsmanager.exceptions import InvalidRequestException  # pylint: disable=import-outside-toplevel

    original = models.SecretsManagerBackend.rotate_secret

    @functools.wraps(original)
    def rotate_secret(self: Any, secret_id: str, client_request_token: str | None = None,
                      rotation_lambda_arn: str | None = None, rotation_rules: dict[str, Any] | None = None,
                      rotate_immediately: bool = True) -> str:
        secret = self.secrets.get(secret_id)
        if secret is None or isinstance(secret, models.ReplicaSecret) or secret.is_deleted():
            return original(self, secret_id, client_request_token, rotation_lambda_arn, rotation_rules, rotate_immediately)
        current, pending = _labelled(secret, "AWSCURRENT"), _labelled(secret, "AWSPENDING")
        if pending and pending != current:
            raise InvalidRequestException("A previous rotation isn't complete. That rotation will be reattempted.")
        function = rotation_lambda_arn or secret.rotation_lambda_arn or None
        _refuse_missing_function(self, function)
        if pending:  # a finished rotation: the new rotation's version takes the label (put back if the call fails)
            secret.versions[pending]["version_stages"].remove("AWSPENDING")
        result = None
        try:
            result = original(self, secret_id, client_request_token, function, rotation_rules, rotate_immediately)
        finally:
            if pending and result is None:
                secret.versions[pending]["version_stages"].append("AWSPENDING")
        secret.set_default_version_id(_labelled(secret, "AWSCURRENT") or current)
        return result

    models.SecretsManagerBackend.rotate_secret = rotate_secret
