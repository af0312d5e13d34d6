"""IAM: the AWS managed policies exist in every account, as the IAM User Guide describes them."""

from __future__ import annotations

import functools
import json
import threading
from typing import Any

from localenv.fidelity import entry


@functools.lru_cache(maxsize=1)
def _policy_data() -> dict[str, Any]:
    """moto's copy of the AWS managed policies (what its MOTO_IAM_LOAD_MANAGED_POLICIES setting loads), parsed once."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data  # pylint: disable=import-outside-toplevel

    return json.loads(aws_managed_policies_data)


class _LoadedOnFirstUse(dict):
    """An account's managed policies: its own, and the AWS managed ones added the first time the map is read.

    moto builds all 1,500-odd AWS managed policies whenever it makes an IAM backend (its tests reset them each time)
    when its setting asks for them; here an account that never reads a policy never pays for them.
    """

    def __init__(self, backend: Any) -> None:
        super().__init__()
        self._backend = backend
        self._loaded = False
        self._lock = threading.Lock()

    def _load(self) -> None:
        if self._loaded:
            return
        from moto.iam.models import AWSManagedPolicy  # pylint: disable=import-outside-toplevel

        with self._lock:
            if self._loaded:
                return
            backend = self._backend
            policies = [AWSManagedPolicy.from_data(name, backend.account_id, backend.region_name, data)
                        for name, data in _policy_data().items()]
            backend.aws_managed_policies.extend(policies)
            for policy in policies:
                dict.setdefault(self, policy.arn, policy)
            self._loaded = True


def _loading_first(name: str) -> Any:
    method = getattr(dict, name)

    @functools.wraps(method)
    def wrapper(self: _LoadedOnFirstUse, *args: Any, **kwargs: Any) -> Any:
        self._load()  # pylint: disable=protected-access
        return method(self, *args, **kwargs)

    return wrapper


for _name in ("__getitem__", "__contains__", "__iter__", "__len__", "get", "keys", "values", "items", "pop", "copy"):
    setattr(_LoadedOnFirstUse, _name, _loading_first(_name))


@entry(
    key="iam-aws-managed-policies",
    api="GetPolicy, AttachRolePolicy, ListPolicies, GetAccountAuthorizationDetails",
    moto="AWS managed policies (`arn:aws:iam::aws:policy/...`) exist only when moto is started with its setting to "
    "load them (`MOTO_IAM_LOAD_MANAGED_POLICIES`): attaching `service-role/AWSLambdaVPCAccessExecutionRole` is "
    "`NoSuchEntity`",
    aws="AWS managed policies exist in every account and can be read and attached by ARN",
    reference="https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies",
)
def aws_managed_policies() -> None:
    from moto.iam import models  # pylint: disable=import-outside-toplevel  # patched at start, before serving

    def no_policies_yet(_backend: Any) -> list[Any]:
        return []  # filled by the map below on first use

    def managed_policies(backend: Any) -> _LoadedOnFirstUse:
        return _LoadedOnFirstUse(backend)

    models.IAMBackend._init_aws_policies = no_policies_yet  # pylint: disable=protected-access
    models.IAMBackend._init_managed_policies = managed_policies  # pylint: disable=protected-access
