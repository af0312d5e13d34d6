"""RDS Proxy: the proxy, its target group, its targets and its endpoints, as the RDS API reference describes them."""

from __future__ import annotations

import functools
from typing import Any, Callable

from localenv.fidelity import entry

API = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference"

# ModifyDBProxy request parameter -> DBProxy attribute (moto serialises attributes by their snake_case name).
_PROXY_SETTINGS = {
    "DefaultAuthScheme": "default_auth_scheme",
    "Auth": "auth",
    "RequireTLS": "require_tls",
    "IdleClientTimeout": "idle_client_timeout",
    "DebugLogging": "debug_logging",
    "RoleArn": "role_arn",
    "SecurityGroups": "vpc_security_group_ids",
}

# ConnectionPoolConfig member -> DBProxyTargetGroup attribute.
_POOL_SETTINGS = {
    "MaxConnectionsPercent": "max_connections",
    "MaxIdleConnectionsPercent": "max_idle_connections",
    "ConnectionBorrowTimeout": "borrow_timeout",
    "SessionPinningFilters": "session_pinning_filters",
    "InitQuery": "init_query",
}


def _models() -> Any:
    from moto.rds import models  # pylint: disable=import-outside-toplevel  # patched at start, before serving

    return models


def _exceptions() -> Any:
    from moto.rds import exceptions  # pylint: disable=import-outside-toplevel

    return exceptions


def _proxy(backend: Any, name: str | None) -> Any:
    """The named proxy, or DBProxyNotFoundFault as the API answers for an unknown name."""
    if not name or name not in backend.db_proxies:
        raise _exceptions().DBProxyNotFoundFault(name)
    return backend.db_proxies[name]


def _requires_proxy(method: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a backend method whose first argument names a proxy so that an unknown proxy is a fault, not a KeyError."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        name = args[0] if args else kwargs.get("db_proxy_name", kwargs.get("proxy_name"))
        _proxy(self, name)
        return method(self, *args, **kwargs)

    return wrapper


@entry(
    key="rds-proxy-not-found",
    api="DescribeDBProxyTargets, DescribeDBProxyTargetGroups, ModifyDBProxyTargetGroup, RegisterDBProxyTargets, "
    "DeregisterDBProxyTargets, DeleteDBProxy",
    moto="a proxy name that does not exist raises a KeyError inside the server: HTTP 500",
    aws="`DBProxyNotFoundFault` (HTTP 404): the proxy name does not correspond to a proxy of the account in the region",
    reference=f"{API}/API_DescribeDBProxyTargets.html",
)
def proxy_not_found() -> None:
    backend = _models().RDSBackend
    for name in ("describe_db_proxy_targets", "describe_db_proxy_target_groups", "modify_db_proxy_target_group",
                 "register_db_proxy_targets", "deregister_db_proxy_targets", "delete_db_proxy"):
        setattr(backend, name, _requires_proxy(getattr(backend, name)))


@entry(
    key="rds-modify-db-proxy",
    api="ModifyDBProxy",
    moto="not implemented: every call fails with HTTP 500",
    aws="changes the auth list, default auth scheme, RequireTLS, IdleClientTimeout, DebugLogging, RoleArn, security "
    "groups and name in place and returns the proxy; an unknown proxy is `DBProxyNotFoundFault`, a taken new name "
    "`DBProxyAlreadyExistsFault`",
    reference=f"{API}/API_ModifyDBProxy.html",
)
def modify_db_proxy() -> None:
    models = _models()
    from moto.core.responses import ActionResult  # pylint: disable=import-outside-toplevel
    from moto.core.utils import utcnow  # pylint: disable=import-outside-toplevel
    from moto.rds.responses import RDSResponse  # pylint: disable=import-outside-toplevel

    def backend_modify(self: Any, db_proxy_name: str, new_name: str | None, settings: dict[str, Any]) -> Any:
        proxy = _proxy(self, db_proxy_name)
        if new_name and new_name != db_proxy_name:
            if new_name in self.db_proxies:
                raise _exceptions().DBProxyAlreadyExistsFault(new_name)
            self._validate_db_identifier(new_name)  # pylint: disable=protected-access
            self.db_proxies[new_name] = self.db_proxies.pop(db_proxy_name)
            proxy.db_proxy_name = new_name
            for group in proxy.proxy_target_groups.values():
                group.db_proxy_name = new_name
        for request_key, attribute in _PROXY_SETTINGS.items():
            if request_key in settings:
                setattr(proxy, attribute, settings[request_key])
        proxy.updated_date = utcnow()
        return proxy

    def response_modify(self: Any) -> Any:
        proxy = self.backend.modify_db_proxy(
            db_proxy_name=self.params.get("DBProxyName"),
            new_name=self.params.get("NewDBProxyName"),
            settings={key: self.params[key] for key in _PROXY_SETTINGS if key in self.params},
        )
        return ActionResult({"DBProxy": proxy})

    models.RDSBackend.modify_db_proxy = backend_modify
    RDSResponse.modify_db_proxy = response_modify


@entry(
    key="rds-modify-db-proxy-target-group-keeps-omitted",
    api="ModifyDBProxyTargetGroup",
    moto="an omitted (or zero) `MaxIdleConnectionsPercent` is reset to half of `MaxConnectionsPercent`; `InitQuery` is "
    "dropped and never returned",
    aws="only the members of `ConnectionPoolConfig` that are given change; 0 is a valid `MaxIdleConnectionsPercent`; "
    "`InitQuery` is kept and returned in `ConnectionPoolConfig`",
    reference=f"{API}/API_ConnectionPoolConfiguration.html",
)
def modify_target_group_keeps_omitted() -> None:
    models = _models()
    from moto.core.utils import utcnow  # pylint: disable=import-outside-toplevel

    def modify(self: Any, proxy_name: str, config: dict[str, Any]) -> Any:
        group = _proxy(self, proxy_name).proxy_target_groups["default"]
        for request_key, attribute in _POOL_SETTINGS.items():
            if request_key in config:
                setattr(group, attribute, config[request_key])
        group.updated_date = utcnow()
        return group

    def pool(self: Any) -> dict[str, Any]:
        config = {
            "MaxConnectionsPercent": self.max_connections,
            "MaxIdleConnectionsPercent": self.max_idle_connections,
            "ConnectionBorrowTimeout": self.borrow_timeout,
            "SessionPinningFilters": list(self.session_pinning_filters),
        }
        if getattr(self, "init_query", None):
            config["InitQuery"] = self.init_query
        return config

    models.RDSBackend.modify_db_proxy_target_group = _requires_proxy(modify)
    models.DBProxyTargetGroup.connection_pool_config = property(pool)


@entry(
    key="rds-register-db-proxy-targets-validates",
    api="RegisterDBProxyTargets",
    moto="accepts unknown instances and registers a target twice (the list grows); targets have no endpoint or ARN "
    "and port 5432 whatever the instance's; a non-default target group name raises a KeyError (HTTP 500)",
    aws="an unknown instance is `DBInstanceNotFound`, an unknown cluster `DBClusterNotFoundFault`, an already registered "
    "target `DBProxyTargetAlreadyRegisteredFault`, an unknown target group `DBProxyTargetGroupNotFoundFault`; a target "
    "carries the instance's ARN, endpoint address and port",
    reference=f"{API}/API_RegisterDBProxyTargets.html",
)
def register_targets_validates() -> None:
    models = _models()
    exceptions = _exceptions()

    def register(self: Any, db_proxy_name: str, target_group_name: str | None,
                 db_cluster_identifiers: list[str], db_instance_identifiers: list[str]) -> list[Any]:
        proxy = _proxy(self, db_proxy_name)
        group_name = target_group_name or "default"
        if group_name not in proxy.proxy_target_groups:
            raise exceptions.RDSClientError("DBProxyTargetGroupNotFoundFault",
                                            f"The specified target group {group_name} doesn't exist for proxy {db_proxy_name}.")
        group = proxy.proxy_target_groups[group_name]
        registered = {target.rds_resource_id for target in group.targets}
        for identifier in list(db_instance_identifiers) + list(db_cluster_identifiers):
            if identifier in registered:
                raise exceptions.RDSClientError("DBProxyTargetAlreadyRegisteredFault",
                                                f"The target {identifier} is already registered with proxy {db_proxy_name}.")
        new_targets = []
        for cluster_id in db_cluster_identifiers:
            if cluster_id not in self.clusters:
                raise exceptions.DBClusterNotFoundError(cluster_id)
            cluster = self.clusters[cluster_id]
            target = models.DBProxyTarget(backend=self, resource_id=cluster_id, endpoint=cluster.endpoint, type="TRACKED_CLUSTER")
            target.target_arn = cluster.db_cluster_arn
            new_targets.append(target)
        for instance_id in db_instance_identifiers:
            if instance_id not in self.databases:
                raise exceptions.DBInstanceNotFoundError(instance_id)
            instance = self.databases[instance_id]
            target = models.DBProxyTarget(backend=self, resource_id=instance_id, endpoint=instance.address, type="RDS_INSTANCE")
            target.port = int(instance.port)
            target.target_arn = instance.db_instance_arn
            new_targets.append(target)
        group.targets.extend(new_targets)
        return new_targets

    models.RDSBackend.register_db_proxy_targets = register


class _Endpoint:
    """A DB proxy endpoint (moto has none); serialised by attribute name like moto's own models."""

    def __init__(self, backend: Any, proxy: Any, name: str, subnets: list[str], security_groups: list[str],
                 target_role: str, is_default: bool = False) -> None:
        from moto.core.utils import utcnow  # pylint: disable=import-outside-toplevel
        from moto.moto_api._internal import mock_random  # pylint: disable=import-outside-toplevel

        self.db_proxy_endpoint_name = name
        self.db_proxy_name = proxy.db_proxy_name
        self.status = "available"
        self.vpc_id = proxy.vpc_id
        self.vpc_subnet_ids = list(subnets)
        self.vpc_security_group_ids = list(security_groups)
        self.target_role = target_role
        self.is_default = is_default
        self.created_date = utcnow()
        self.endpoint_network_type = "IPV4"
        if is_default:
            self.endpoint = proxy.endpoint
            self.db_proxy_endpoint_arn = None
        else:
            suffix = mock_random.get_random_string(length=12, lower_case=True)
            self.endpoint = f"{name}.endpoint.proxy-{suffix}.{backend.region_name}.rds.amazonaws.com"
            unique = mock_random.get_random_string(length=17, lower_case=True)
            self.db_proxy_endpoint_arn = f"arn:{backend.partition}:rds:{backend.region_name}:{backend.account_id}:db-proxy-endpoint:prx-endpoint-{unique}"
        self.tags: list[dict[str, str]] = []

    def get_tags(self) -> list[dict[str, str]]:
        return self.tags

    def add_tags(self, tags: list[dict[str, str]]) -> list[dict[str, str]]:
        keys = {tag["Key"] for tag in tags}
        self.tags = [tag for tag in self.tags if tag["Key"] not in keys] + list(tags)
        return self.tags

    def remove_tags(self, keys: list[str]) -> None:
        self.tags = [tag for tag in self.tags if tag["Key"] not in keys]


def _endpoints(backend: Any) -> dict[str, _Endpoint]:
    """The backend's custom proxy endpoints by name (kept on the backend, so they reset with it)."""
    return backend.__dict__.setdefault("shoppulse_db_proxy_endpoints", {})


def _endpoint_not_found(name: str) -> Exception:
    return _exceptions().RDSClientError("DBProxyEndpointNotFoundFault",
                                        f"The DB proxy endpoint {name} doesn't exist or isn't owned by your account.")


@entry(
    key="rds-db-proxy-endpoints",
    api="CreateDBProxyEndpoint, DescribeDBProxyEndpoints, ModifyDBProxyEndpoint, DeleteDBProxyEndpoint",
    moto="not implemented: every call fails with HTTP 500; tagging a `db-proxy-endpoint` ARN is refused",
    aws="a proxy has its default endpoint plus up to 20 endpoints with their own subnets, security groups and target "
    "role; the name and security groups change in place; they are listed per proxy or by name, tagged by ARN and "
    "deleted with their proxy",
    reference=f"{API}/API_CreateDBProxyEndpoint.html",
)
def proxy_endpoints() -> None:  # pylint: disable=too-many-statements
    models = _models()
    exceptions = _exceptions()
    from moto.core.responses import ActionResult  # pylint: disable=import-outside-toplevel
    from moto.rds.responses import RDSResponse  # pylint: disable=import-outside-toplevel

    def create(self: Any, params: dict[str, Any]) -> _Endpoint:
        proxy = _proxy(self, params.get("DBProxyName"))
        name = params["DBProxyEndpointName"]
        self._validate_db_identifier(name)  # pylint: disable=protected-access
        endpoints = _endpoints(self)
        if name in endpoints or name == "default":
            raise exceptions.RDSClientError("DBProxyEndpointAlreadyExistsFault", f"The DB proxy endpoint {name} already exists.")
        if sum(1 for item in endpoints.values() if item.db_proxy_name == proxy.db_proxy_name) >= 20:
            raise exceptions.RDSClientError("DBProxyEndpointQuotaExceededFault", "The DB proxy already has the maximum number of endpoints.")
        subnets = params["VpcSubnetIds"]
        from moto.ec2.models import ec2_backends  # pylint: disable=import-outside-toplevel

        found = ec2_backends[self.account_id][self.region_name].describe_subnets(subnet_ids=subnets)
        if len({subnet.vpc_id for subnet in found}) != 1:
            raise exceptions.InvalidSubnet(subnets[0])
        security_groups = params.get("VpcSecurityGroupIds") or list(proxy.vpc_security_group_ids)
        endpoint = _Endpoint(self, proxy, name, subnets, security_groups, params.get("TargetRole") or "READ_WRITE")
        endpoint.vpc_id = found[0].vpc_id
        endpoint.tags = list(params.get("Tags") or [])
        endpoints[name] = endpoint
        return endpoint

    def describe(self: Any, proxy_name: str | None, endpoint_name: str | None) -> list[_Endpoint]:
        endpoints = list(_endpoints(self).values())
        if proxy_name:
            proxy = _proxy(self, proxy_name)
            default = _Endpoint(self, proxy, "default", proxy.vpc_subnet_ids, proxy.vpc_security_group_ids, "READ_WRITE", is_default=True)
            endpoints = [default] + [item for item in endpoints if item.db_proxy_name == proxy_name]
        if endpoint_name:
            endpoints = [item for item in endpoints if item.db_proxy_endpoint_name == endpoint_name]
            if not endpoints:
                raise _endpoint_not_found(endpoint_name)
        return endpoints

    def modify(self: Any, name: str, new_name: str | None, security_groups: list[str] | None) -> _Endpoint:
        endpoints = _endpoints(self)
        if name not in endpoints:
            raise _endpoint_not_found(name)
        endpoint = endpoints[name]
        if new_name and new_name != name:
            if new_name in endpoints:
                raise exceptions.RDSClientError("DBProxyEndpointAlreadyExistsFault", f"The DB proxy endpoint {new_name} already exists.")
            endpoints[new_name] = endpoints.pop(name)
            endpoint.db_proxy_endpoint_name = new_name
        if security_groups is not None:
            endpoint.vpc_security_group_ids = list(security_groups)
        return endpoint

    def delete(self: Any, name: str) -> _Endpoint:
        endpoints = _endpoints(self)
        if name not in endpoints:
            raise _endpoint_not_found(name)
        endpoint = endpoints.pop(name)
        endpoint.status = "deleting"
        return endpoint

    original_delete_proxy = models.RDSBackend.delete_db_proxy

    def delete_proxy(self: Any, proxy_name: str) -> Any:
        proxy = original_delete_proxy(self, proxy_name)
        endpoints = _endpoints(self)
        for name in [name for name, item in endpoints.items() if item.db_proxy_name == proxy_name]:
            del endpoints[name]
        return proxy

    original_find = models.RDSBackend._find_resource  # pylint: disable=protected-access

    def find_resource(self: Any, resource_type: str, resource_name: str) -> Any:
        if resource_type == "db-proxy-endpoint":
            return next((item for item in _endpoints(self).values() if item.db_proxy_endpoint_arn.endswith(resource_name)), None)
        return original_find(self, resource_type, resource_name)

    original_for_tagging = models.RDSBackend._get_resource_for_tagging  # pylint: disable=protected-access

    def resource_for_tagging(self: Any, arn: str) -> Any:
        if ":db-proxy-endpoint:" in arn:
            return find_resource(self, "db-proxy-endpoint", arn.rsplit(":", 1)[-1])
        return original_for_tagging(self, arn)

    models.RDSBackend.create_db_proxy_endpoint = create
    models.RDSBackend.describe_db_proxy_endpoints = describe
    models.RDSBackend.modify_db_proxy_endpoint = modify
    models.RDSBackend.delete_db_proxy_endpoint = delete
    models.RDSBackend.delete_db_proxy = _requires_proxy(delete_proxy)
    models.RDSBackend._find_resource = find_resource  # pylint: disable=protected-access
    models.RDSBackend._get_resource_for_tagging = resource_for_tagging  # pylint: disable=protected-access

    def response_create(self: Any) -> Any:
        return ActionResult({"DBProxyEndpoint": self.backend.create_db_proxy_endpoint(self.params)})

    def response_describe(self: Any) -> Any:
        found = self.backend.describe_db_proxy_endpoints(self.params.get("DBProxyName"), self.params.get("DBProxyEndpointName"))
        return ActionResult({"DBProxyEndpoints": found})

    def response_modify(self: Any) -> Any:
        endpoint = self.backend.modify_db_proxy_endpoint(
            self.params.get("DBProxyEndpointName"), self.params.get("NewDBProxyEndpointName"), self.params.get("VpcSecurityGroupIds"))
        return ActionResult({"DBProxyEndpoint": endpoint})

    def response_delete(self: Any) -> Any:
        return ActionResult({"DBProxyEndpoint": self.backend.delete_db_proxy_endpoint(self.params.get("DBProxyEndpointName"))})

    RDSResponse.create_db_proxy_endpoint = response_create
    RDSResponse.describe_db_proxy_endpoints = response_describe
    RDSResponse.modify_db_proxy_endpoint = response_modify
    RDSResponse.delete_db_proxy_endpoint = response_delete
