"""SSM Parameter Store: creating a parameter is atomic, as the Systems Manager API reference says."""

from __future__ import annotations

import functools
import threading

from localenv.fidelity import entry


@entry(
    key="ssm-put-parameter-create-atomic",
    api="PutParameter, DeleteParameter, DeleteParameters",
    moto="checks that the parameter is absent and then stores it as two steps, unguarded, while its server answers "
    "requests in threads: two concurrent `PutParameter` calls without `Overwrite` may both succeed",
    aws="without `Overwrite`, a `PutParameter` for a name that exists fails with `ParameterAlreadyExists`; the reference "
    "states no exception for a name created by a concurrent call, so a second creation is refused like any other",
    reference="https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html",
)
def put_parameter_create_atomic() -> None:
    from moto.ssm.models import SimpleSystemManagerBackend  # pylint: disable=import-outside-toplevel  # patched before serving

    writes = threading.Lock()

    def serialised(method):
        @functools.wraps(method)
        def wrapper(*args, **kwargs):
            with writes:
                return method(*args, **kwargs)

        return wrapper

    for name in ("put_parameter", "delete_parameter", "delete_parameters"):
        setattr(SimpleSystemManagerBackend, name, serialised(getattr(SimpleSystemManagerBackend, name)))


@entry(
    key="ssm-describe-parameters-policies",
    api="DescribeParameters",
    moto="a parameter without policies is described without `Policies`",
    aws="each parameter's metadata carries `Policies`, the list of its policies (empty when it has none)",
    reference="https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ParameterMetadata.html",
)
def describe_parameters_policies() -> None:
    from moto.ssm.models import Parameter  # pylint: disable=import-outside-toplevel  # patched before serving

    original = Parameter.describe_response_object

    @functools.wraps(original)
    def describe_response_object(self, *args, **kwargs):
        described = original(self, *args, **kwargs)
        described.setdefault("Policies", [])
        return described

    Parameter.describe_response_object = describe_response_object
