"""Lifecycles over time: resources pass through the states the AWS API references give them before they settle.

moto creates, changes and deletes at once. With a latency scale above 0 (``localenv/latency.py``), a transition here
stamps the resource with a timeline (its states and how long each lasts, from the latency profile); the state a
Describe call returns is computed from that timeline and the clock, so no background thread is needed. A resource
whose deletion has run its course is dropped at the start of the next request to its service. With scale 0 (the
default) no timeline is stamped and every entry below leaves moto's answers as they are.

A proxy target's health is judged by the local PostgreSQL server that stands in for RDS when it can tell
(``localenv/standin_db.py``: it is running and has the secret's user), so that a password rotated inside the database
(ALTER ROLE) is judged as RDS would judge it; otherwise by the password the instance got through the RDS API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from localenv import latency, standin_db
from localenv.fidelity import entry
from localenv.fidelity.rds import _exceptions, _hook, _models, _response_class

EC2_API = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference"
RDS_API = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference"
RDS_GUIDE = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide"

TIMELINE = "_shoppulse_timeline"
READS = "_shoppulse_timeline_reads"

# RegisterDBProxyTargets accepts an instance in these states only (the RDS error names them in upper case).
REGISTRABLE_INSTANCE_STATES = ("available", "modifying", "backing-up")


@dataclass(frozen=True)
class Timeline:
    """The states a resource passes through from ``started``, each for its number of seconds."""

    started: float
    phases: tuple[tuple[str, float], ...]

    def state(self, now: float) -> str | None:
        """The state at ``now``, or None once every phase has passed."""
        elapsed = now - self.started
        for state, seconds in self.phases:
            if elapsed < seconds:
                return state
            elapsed -= seconds
        return None


def begin(resource: Any, kind: str, transition: str, skip: frozenset[str] = frozenset()) -> bool:
    """Stamp ``resource`` with the timeline of one transition; False (nothing stamped) when latency is off."""
    phases = latency.current().phases(kind, transition, skip)
    if not any(seconds > 0 for _state, seconds in phases):
        return False
    resource.__dict__[TIMELINE] = Timeline(latency.clock(), phases)
    resource.__dict__[READS] = 0
    return True


def passing(resource: Any) -> str | None:
    """The state the resource is passing through, or None when it has settled (its timeline is then dropped)."""
    timeline = resource.__dict__.get(TIMELINE)
    if timeline is None:
        return None
    state = timeline.state(latency.clock())
    reads = resource.__dict__.get(READS, 0) + 1
    if state is None and reads <= latency.current().hold_reads:  # held until read often enough (latency.HOLD_VARIABLE)
        state = timeline.phases[-1][0]
    if state is None:
        resource.__dict__.pop(TIMELINE, None)  # pop: the server answers in threads, another may have dropped it
    else:
        resource.__dict__[READS] = reads
    return state


def timed_attribute(cls: type, name: str) -> None:
    """Make ``cls.<name>`` report the passing state while a timeline runs, and the settled value after it.

    moto's own assignments (``status = "stopped"``...) set the settled value and end any timeline, as such a change
    replaces whatever the resource was doing.
    """
    settled = f"_shoppulse_settled_{name}"

    def get(self: Any) -> Any:
        state = passing(self)
        if state is not None:
            return state
        return self.__dict__.get(settled, self.__dict__.get(name))

    def set_(self: Any, value: Any) -> None:
        self.__dict__[settled] = value
        self.__dict__.pop(TIMELINE, None)

    setattr(cls, name, property(get, set_))


def _going(backend: Any) -> dict[tuple[str, str], Any]:
    """Resources being deleted, by (collection, name): they stay listed until their timeline ends."""
    return backend.__dict__.setdefault("_shoppulse_being_deleted", {})


def keep_while_deleting(backend: Any, collection: str, name: str, resource: Any) -> None:
    """Put a deleted resource back in its collection for as long as its deletion timeline runs."""
    getattr(backend, collection)[name] = resource
    _going(backend)[(collection, name)] = resource


def drop_deleted(backend: Any) -> None:
    """Remove the resources whose deletion has run its course."""
    going = _going(backend)
    for (collection, name), resource in list(going.items()):
        if passing(resource) is None:
            members = getattr(backend, collection)
            if members.get(name) is resource:
                members.pop(name, None)
            going.pop((collection, name), None)


def _being_deleted(backend: Any, collection: str, name: str | None) -> bool:
    return (collection, name) in _going(backend)


@entry(
    key="ec2-nat-gateway-lifecycle",
    api="CreateNatGateway, DeleteNatGateway, DescribeNatGateways",
    moto="a new NAT gateway is `available` at once; a deleted one is `deleted` at once",
    aws="a new NAT gateway is `pending` until it is `available`; a deleted one is `deleting`, then `deleted` (and stays "
    "listed for about an hour); timed by the latency profile, instant at scale 0",
    reference=f"{EC2_API}/API_NatGateway.html",
)
def nat_gateway_lifecycle() -> None:
    from moto.ec2.models import nat_gateways  # pylint: disable=import-outside-toplevel  # patched at start

    timed_attribute(nat_gateways.NatGateway, "state")
    backend = nat_gateways.NatGatewayBackend
    original_create, original_delete = backend.create_nat_gateway, backend.delete_nat_gateway

    def create(self: Any, *args: Any, **kwargs: Any) -> Any:
        gateway = original_create(self, *args, **kwargs)
        begin(gateway, "nat_gateway", "create")
        return gateway

    def delete(self: Any, nat_gateway_id: str) -> Any:
        gateway = original_delete(self, nat_gateway_id)
        begin(gateway, "nat_gateway", "delete")
        return gateway

    backend.create_nat_gateway = create
    backend.delete_nat_gateway = delete


def _drop_deleted_before_each_request() -> None:
    """Once per process: every RDS request first drops the resources whose deletion has finished."""
    response_class = _response_class()
    if getattr(response_class.call_action, "_shoppulse_drops_deleted", False):
        return
    original = response_class.call_action

    def call_action(self: Any) -> Any:
        drop_deleted(self.backend)
        return original(self)

    call_action._shoppulse_drops_deleted = True  # type: ignore[attr-defined]  # pylint: disable=protected-access
    response_class.call_action = call_action


def _invalid_instance_state(message: str) -> Exception:
    return _exceptions().RDSClientError("InvalidDBInstanceState", message)


def _refuse_while_deleting(response: Any) -> None:
    name = response.params.get("DBInstanceIdentifier")
    if _being_deleted(response.backend, "databases", name):
        raise _invalid_instance_state(f"Instance {name} is already being deleted.")


def _refuse_while_creating(response: Any) -> None:
    """AWS modifies an instance only once it has been created; the API reference gives the fault and its wording
    ("The DB instance isn't in a valid state."), not the message itself."""
    name = response.params.get("DBInstanceIdentifier")
    instance = response.backend.databases.get(name)
    if instance is not None and instance.status == "creating":
        raise _invalid_instance_state(f"The DB instance isn't in a valid state: {name} is creating.")


@entry(
    key="rds-db-instance-lifecycle",
    api="CreateDBInstance, ModifyDBInstance, DeleteDBInstance, DescribeDBInstances",
    moto="a new instance is `available` at once, a modified one stays `available`, a deleted one is gone at once",
    aws="a new instance is `creating`, then `backing-up` (its first automated backup, when the backup retention period "
    "is above 0), then `available`; `ModifyDBInstance` with `ApplyImmediately` makes it `modifying` for a while; a "
    "deleted one is `deleting` until `DescribeDBInstances` answers `DBInstanceNotFound`; a creating instance cannot be "
    "modified, a deleting one cannot be modified or deleted again (`InvalidDBInstanceState`); timed by the latency "
    "profile, instant at scale 0",
    reference=f"{RDS_GUIDE}/accessing-monitoring.html#Overview.DBInstance.Status",
    after_others=True,
)
def db_instance_lifecycle() -> None:
    timed_attribute(_models().DBInstance, "status")
    _drop_deleted_before_each_request()

    def created(response: Any, _prepared: Any, result: Any) -> None:
        instance = result.result["DBInstance"]
        skip = frozenset() if instance.backup_retention_period else frozenset({"backing-up"})
        begin(instance, "db_instance", "create", skip)

    def modified(response: Any, _prepared: Any, result: Any) -> None:
        if response.params.get("ApplyImmediately"):
            begin(result.result["DBInstance"], "db_instance", "modify")

    def deleted(response: Any, _prepared: Any, result: Any) -> None:
        instance = result.result["DBInstance"]
        if begin(instance, "db_instance", "delete"):
            keep_while_deleting(response.backend, "databases", instance.db_instance_identifier, instance)

    _hook("create_db_instance", after=created)
    _hook("modify_db_instance", validate=_refuse_while_deleting)
    _hook("modify_db_instance", validate=_refuse_while_creating, after=modified)
    _hook("delete_db_instance", validate=_refuse_while_deleting, after=deleted)


class _Membership:  # pylint: disable=too-few-public-methods
    """A VPC security group being removed from a DB instance: it carries the removal's timeline."""


def _removing(instance: Any) -> dict[str, _Membership]:
    return instance.__dict__.setdefault("_shoppulse_security_groups_removing", {})


@entry(
    key="rds-db-instance-security-group-removing",
    api="ModifyDBInstance, DescribeDBInstances",
    moto="a VPC security group taken off an instance vanishes from `VpcSecurityGroups` at once",
    aws="`VpcSecurityGroups` lists each membership with its status: a group taken off is listed `removing` for a while "
    "before it goes; timed by the latency profile, gone at once at scale 0",
    reference=f"{RDS_API}/API_VpcSecurityGroupMembership.html",
)
def db_instance_security_group_removing() -> None:
    def before(response: Any) -> list[str] | None:
        if response.params.get("VpcSecurityGroupIds") is None:
            return None
        instance = response.backend.describe_db_instances(response.params.get("DBInstanceIdentifier"))[0]
        return list(instance.vpc_security_group_ids or [])

    def removed(response: Any, previous: list[str] | None, result: Any) -> None:
        if previous is None:
            return
        instance = result.result["DBInstance"]
        kept, removing = set(instance.vpc_security_group_ids or []), _removing(instance)
        for group_id in previous:
            membership = _Membership()
            if group_id not in kept and begin(membership, "db_instance_security_group", "remove"):
                removing[group_id] = membership
        for group_id in kept:
            removing.pop(group_id, None)  # added back: active again

    def memberships(self: Any) -> list[dict[str, str]]:
        listed = [{"VpcSecurityGroupId": group_id, "Status": "active"} for group_id in self.vpc_security_group_ids or []]
        for group_id, membership in list(_removing(self).items()):
            state = passing(membership)
            if state is None:
                _removing(self).pop(group_id, None)
            else:
                listed.append({"VpcSecurityGroupId": group_id, "Status": state})
        return listed

    # The serializer reads the member's shape name (VpcSecurityGroupMembershipList) before moto's snake_case attribute.
    _models().DBInstance.VpcSecurityGroupMembershipList = property(memberships)
    _hook("modify_db_instance", prepare=before, after=removed)


@entry(
    key="rds-db-snapshot-lifecycle",
    api="CreateDBSnapshot, DescribeDBSnapshots",
    moto="a new manual snapshot is `available` at once",
    aws="a new snapshot is `creating` until it is `available`; timed by the latency profile, instant at scale 0",
    reference=f"{RDS_API}/API_DBSnapshot.html",
)
def db_snapshot_lifecycle() -> None:
    timed_attribute(_models().DBSnapshot, "status")

    def created(_response: Any, _prepared: Any, result: Any) -> None:
        begin(result.result["DBSnapshot"], "db_snapshot", "create")

    _hook("create_db_snapshot", after=created)


def _refuse_unless_proxy_available(response: Any) -> None:
    """InvalidDBProxyStateFault while the named proxy is creating, modifying or deleting (an unknown one is left to
    the handler, which answers DBProxyNotFoundFault)."""
    name = response.params.get("DBProxyName")
    proxy = response.backend.db_proxies.get(name)
    if proxy is not None and proxy.status != "available":
        raise _exceptions().RDSClientError(
            "InvalidDBProxyStateFault", f"The requested operation can't be performed while proxy {name} is {proxy.status}.")


@entry(
    key="rds-db-proxy-lifecycle",
    api="CreateDBProxy, ModifyDBProxy, DeleteDBProxy, DescribeDBProxies, ModifyDBProxyTargetGroup, RegisterDBProxyTargets",
    moto="a new proxy is `available` at once, a modified one stays `available`, a deleted one is gone at once",
    aws="a new proxy is `creating`, a modified one `modifying`, before `available`; a deleted one is `deleting` until "
    "`DescribeDBProxies` answers `DBProxyNotFoundFault`; while it is not available, `ModifyDBProxy`, "
    "`ModifyDBProxyTargetGroup` and `RegisterDBProxyTargets` are `InvalidDBProxyStateFault`; timed by the latency "
    "profile, instant at scale 0",
    reference=f"{RDS_API}/API_DBProxy.html",
    after_others=True,
)
def db_proxy_lifecycle() -> None:
    timed_attribute(_models().DBProxy, "status")
    _drop_deleted_before_each_request()

    def created(_response: Any, _prepared: Any, result: Any) -> None:
        begin(result.result["DBProxy"], "db_proxy", "create")

    def modified(_response: Any, _prepared: Any, result: Any) -> None:
        begin(result.result["DBProxy"], "db_proxy", "modify")

    def deleted(response: Any, _prepared: Any, result: Any) -> None:
        proxy = result.result["DBProxy"]
        if latency.current().active:
            proxy.status = "deleting"
        if begin(proxy, "db_proxy", "delete"):
            keep_while_deleting(response.backend, "db_proxies", proxy.db_proxy_name, proxy)

    _hook("create_db_proxy", after=created)
    _hook("modify_db_proxy", validate=_refuse_unless_proxy_available, after=modified)
    _hook("modify_db_proxy_target_group", validate=_refuse_unless_proxy_available)
    _hook("delete_db_proxy", after=deleted)


def _master_password(instance: Any) -> str | None:
    return instance.__dict__.get("_master_user_password")


def _api_verdict(instance: Any, username: Any, password: Any) -> bool | None:
    """Whether the master user's password is the one the instance got through the RDS API (CreateDBInstance,
    ModifyDBInstance's MasterUserPassword, a restore); None for other users and for passwords RDS manages."""
    if instance.manage_master_user_password or _master_password(instance) is None:
        return None
    if username != instance.master_username:
        return None
    return password == _master_password(instance)


def _proxy_credentials(backend: Any, proxy: Any) -> list[tuple[str, dict[str, Any]]]:
    """The proxy's secrets that can be read as JSON objects, by ARN."""
    from moto.secretsmanager.exceptions import SecretsManagerClientError  # pylint: disable=import-outside-toplevel
    from moto.secretsmanager.models import secretsmanager_backends  # pylint: disable=import-outside-toplevel

    secrets = secretsmanager_backends[backend.account_id][backend.region_name]
    found = []
    for auth in proxy.auth or []:
        arn = auth.get("SecretArn")
        if not arn:
            continue
        try:
            value = json.loads(secrets.get_secret_value(arn, None, None).get("SecretString") or "{}")
        except (SecretsManagerClientError, ValueError):
            continue
        if isinstance(value, dict):
            found.append((arn, value))
    return found


def refused_secret(backend: Any, proxy: Any, instance: Any) -> str | None:
    """The ARN of the first secret of the proxy's auth list whose credentials the database refuses, or None when
    every secret judged is accepted.

    Every auth entry is judged, not only the master's: the proxy logs in with each user's secret, and one the
    database refuses makes the target report AUTH_FAILURE. The local PostgreSQL server standing in for RDS judges
    when it can tell (it is running and has the secret's user): the emulator logs in to it with the secret, so a
    password rotated inside the database counts. Otherwise the judgement is the API's: a secret naming the master
    user with another password than the instance got through the RDS API is refused. Secrets that cannot be read,
    and users neither the local database nor the API knows (an application user not created yet), are not judged.
    """
    if instance is None:
        return None
    for arn, credentials in _proxy_credentials(backend, proxy):
        username, password = credentials.get("username"), credentials.get("password")
        verdict = standin_db.accepts(username, password)
        if verdict is None:
            verdict = _api_verdict(instance, username, password)
        if verdict is False:
            return arn
    return None


def _proxy_of(target: Any) -> Any:
    """The proxy whose target groups hold ``target`` (moto's target does not name it), or None."""
    for proxy in target.backend.db_proxies.values():
        if any(member is target for group in proxy.proxy_target_groups.values() for member in group.targets):
            return proxy
    return None


@entry(
    key="rds-db-proxy-target-health",
    api="RegisterDBProxyTargets, DescribeDBProxyTargets",
    moto="a target reports `REGISTERING` on the first read only and `AVAILABLE` from then on, with no reason ever; "
    "instances are registered whatever their state",
    aws="a target is `REGISTERING` for a while, then `AVAILABLE`, or `UNAVAILABLE` with reason `AUTH_FAILURE` when the "
    "secret of any entry of the proxy's auth list holds credentials the database refuses (modelled for every entry: "
    "a TLS login with the secret to the local PostgreSQL standing in for RDS, when it is running and has the secret's "
    "user; otherwise a secret naming the master user with another password than the instance got through the RDS "
    "API); an instance that is not "
    "available, modifying or backing-up cannot be registered (`InvalidDBInstanceState`); timed by the latency "
    "profile, moto's answers at scale 0",
    reference=f"{RDS_API}/API_TargetHealth.html",
    after_others=True,
)
def db_proxy_target_health() -> None:
    models = _models()
    moto_health = models.DBProxyTarget.target_health

    def health(self: Any) -> dict[str, str]:
        if not latency.current().active:
            return moto_health.fget(self)
        state = passing(self)
        if state is not None:
            return {"State": state}
        proxy, instance = _proxy_of(self), self.backend.databases.get(self.rds_resource_id)
        secret = refused_secret(self.backend, proxy, instance) if proxy else None
        if secret:
            return {"State": "UNAVAILABLE", "Reason": "AUTH_FAILURE",
                    "Description": f"The database refused the credentials in secret {secret}."}
        return {"State": "AVAILABLE"}

    models.DBProxyTarget.target_health = property(health)

    def refuse_unready_instances(response: Any) -> None:
        for name in response.params.get("DBInstanceIdentifiers") or []:
            instance = response.backend.databases.get(name)
            if instance is not None and instance.status not in REGISTRABLE_INSTANCE_STATES:
                allowed = ", ".join(state.upper() for state in REGISTRABLE_INSTANCE_STATES)
                raise _invalid_instance_state(
                    f"DB Instance {name} is in an unsupported state - {instance.status.upper()}, needs to be in [{allowed}]")

    def registered(_response: Any, _prepared: Any, result: Any) -> None:
        for target in result.result["DBProxyTargets"]:
            begin(target, "db_proxy_target", "register")

    _hook("register_db_proxy_targets", validate=_refuse_unless_proxy_available)
    _hook("register_db_proxy_targets", validate=refuse_unready_instances, after=registered)
