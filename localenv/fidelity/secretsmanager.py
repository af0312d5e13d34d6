"""Secrets Manager: a secret scheduled for deletion, and when a secret was last read, as the API reference describes."""

from __future__ import annotations

import datetime
import functools
from typing import Any, Callable

from localenv.fidelity import entry

API = "https://docs.aws.amazon.com/secretsmanager/latest/apireference"

# AWS's wording for the InvalidRequestException of a secret scheduled for deletion (amazon.aws's secretsmanager_secret
# lookup matches "marked for deletion" to honour its on_deleted option).
MARKED_FOR_DELETION = "You can't perform this operation on the secret because it was marked for deletion."
LAST_ACCESSED = "_shoppulse_last_accessed"


def _models() -> Any:
    from moto.secretsmanager import models  # pylint: disable=import-outside-toplevel  # patched before serving

    return models


def _reworded(method: Callable[..., Any]) -> Callable[..., Any]:
    exceptions = _models().InvalidRequestException

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except exceptions as error:
            if "marked deleted" not in str(error):
                raise
            raise exceptions(MARKED_FOR_DELETION) from error

    return wrapper


@entry(
    key="secretsmanager-marked-for-deletion",
    api="GetSecretValue, RotateSecret, CancelRotateSecret, DeleteSecret",
    moto="a secret scheduled for deletion is refused with `InvalidRequestException` \"... currently marked deleted\" (its "
    "`UpdateSecret` already uses AWS's wording)",
    aws="`InvalidRequestException` because the secret is scheduled for deletion, worded \"You can't perform this "
    "operation on the secret because it was marked for deletion.\"",
    reference=f"{API}/API_GetSecretValue.html",
    after_others=True,
)
def marked_for_deletion() -> None:
    backend = _models().SecretsManagerBackend
    for name in ("get_secret_value", "rotate_secret", "cancel_rotate_secret", "delete_secret"):
        setattr(backend, name, _reworded(getattr(backend, name)))


@entry(
    key="secretsmanager-last-accessed-date",
    api="GetSecretValue, DescribeSecret, ListSecrets",
    moto="`LastAccessedDate` is never reported",
    aws="`LastAccessedDate` is the date (midnight UTC of the day) the secret was last read in the Region, and is omitted "
    "if it has never been read",
    reference=f"{API}/API_DescribeSecret.html",
)
def last_accessed_date() -> None:
    models = _models()
    original_get, original_to_dict = models.SecretsManagerBackend.get_secret_value, models.FakeSecret.to_dict

    @functools.wraps(original_get)
    def get_secret_value(self: Any, secret_id: str, *args: Any, **kwargs: Any) -> Any:
        answer = original_get(self, secret_id, *args, **kwargs)
        secret = self.secrets[secret_id]
        today = datetime.datetime.now(datetime.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
        secret.__dict__[LAST_ACCESSED] = today.timestamp()
        return answer

    @functools.wraps(original_to_dict)
    def to_dict(self: Any) -> dict[str, Any]:
        described = original_to_dict(self)
        described.pop("LastAccessedDate", None)
        if LAST_ACCESSED in self.__dict__:
            described["LastAccessedDate"] = self.__dict__[LAST_ACCESSED]
        return described

    models.SecretsManagerBackend.get_secret_value = get_secret_value
    models.FakeSecret.to_dict = to_dict
