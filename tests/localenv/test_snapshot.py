"""A snapshot of the local environment (localenv/state.py, services.snapshot) restores on other ports with the emulator's
resources and PostgreSQL's data as they were; a bad snapshot is refused, named."""

import io
import json
import subprocess
import zipfile
from pathlib import Path

import boto3
import pytest

from localenv import services

# PostgreSQL's ports below Linux's ephemeral range (32768-60999): the source environment keeps pooled client
# connections open across the module, and one whose local port was 55504 once made the restore's bind fail.
PORTS = (4603, 25503)
OTHER_PORTS = (4604, 25504)
FUNCTION = "def handler(event, context):\n    return {'echo': event}\n"


def settings(folder: Path, ports: tuple[int, int]) -> services.Settings:
    return services.Settings(state=folder / "state", emulator_host="127.0.0.1", emulator_port=ports[0], pg_port=ports[1])


def client(cfg: services.Settings, service: str):
    return boto3.client(service, region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{cfg.emulator_port}",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def admin_sql(cfg: services.Settings, sql: str) -> str:
    result = subprocess.run(["psql", f"host={cfg.pgsocket} port={cfg.pg_port} user=postgres dbname=postgres", "-Atc", sql],
                            capture_output=True, text=True, check=True)
    return result.stdout.strip()


def build(cfg: services.Settings) -> dict:
    """One resource of each kind the collection builds, and a table in PostgreSQL; what to find after a restore."""
    ec2, rds, secrets, awslambda = (client(cfg, name) for name in ("ec2", "rds", "secretsmanager", "lambda"))
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "snapshot"}]}])["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{n}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"]["SubnetId"]
               for n, zone in ((1, "a"), (2, "b"))]
    rds.create_db_subnet_group(DBSubnetGroupName="snapshot", DBSubnetGroupDescription="snapshot", SubnetIds=subnets)
    instance = rds.create_db_instance(DBInstanceIdentifier="snapshot", Engine="postgres", DBInstanceClass="db.t3.micro",
                                      AllocatedStorage=20, MasterUsername="master", MasterUserPassword="a-long-password-1",
                                      DBSubnetGroupName="snapshot", StorageEncrypted=True)["DBInstance"]
    secret = secrets.create_secret(Name="snapshot/master", SecretString=json.dumps({"password": "a-long-password-1"}))["ARN"]
    role = client(cfg, "iam").create_role(RoleName="snapshot", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("echo.py", FUNCTION)
    function = awslambda.create_function(FunctionName="snapshot", Runtime="python3.12", Role=role, Handler="echo.handler",
                                         Code={"ZipFile": code.getvalue()})["FunctionArn"]
    admin_sql(cfg, "create table kept (word text); insert into kept values ('before')")
    return {"vpc": vpc, "subnets": sorted(subnets), "instance": instance["DbiResourceId"], "secret": secret,
            "function": function}


def found(cfg: services.Settings) -> dict:
    ec2, rds, secrets, awslambda = (client(cfg, name) for name in ("ec2", "rds", "secretsmanager", "lambda"))
    vpc = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["snapshot"]}])["Vpcs"][0]["VpcId"]
    subnets = sorted(s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"])
    instance = rds.describe_db_instances(DBInstanceIdentifier="snapshot")["DBInstances"][0]
    assert instance["DBInstanceStatus"] == "available" and instance["DBSubnetGroup"]["DBSubnetGroupName"] == "snapshot"
    secret = secrets.describe_secret(SecretId="snapshot/master")["ARN"]
    assert json.loads(secrets.get_secret_value(SecretId=secret)["SecretString"]) == {"password": "a-long-password-1"}
    function = awslambda.get_function(FunctionName="snapshot")["Configuration"]["FunctionArn"]
    return {"vpc": vpc, "subnets": subnets, "instance": instance["DbiResourceId"], "secret": secret, "function": function}


@pytest.fixture(name="saved", scope="module")
def fixture_saved(tmp_path_factory):
    """A running environment with resources built, its snapshot taken (it keeps running), and what was built."""
    folder = Path(tmp_path_factory.mktemp("snapshot-source"))
    cfg = settings(folder, PORTS)
    artifacts = folder / "artifacts"
    artifacts.mkdir()
    (artifacts / "outputs.json").write_text('{"DatabaseEndpoint": "snapshot"}', encoding="utf-8")
    try:
        services.up(cfg)
        built = build(cfg)
        said = services.snapshot(cfg, folder / "snapshot", artifacts)
        yield {"cfg": cfg, "built": built, "said": said, "folder": folder / "snapshot"}
    finally:
        services.down(cfg)


def test_the_environment_keeps_running_after_its_snapshot(saved):
    assert saved["said"][-1] == f"snapshot of {saved['cfg'].state} saved in {saved['folder']}"
    assert admin_sql(saved["cfg"], "select word from kept") == "before"
    assert found(saved["cfg"]) == saved["built"]
    assert (saved["folder"] / services.SNAPSHOT_EMULATOR).stat().st_mode & 0o077 == 0  # it holds the secrets


def test_a_snapshot_restores_on_other_ports_with_everything_as_it_was(saved, tmp_path):
    cfg = settings(tmp_path, OTHER_PORTS)
    admin_sql(saved["cfg"], "insert into kept values ('after the snapshot')")  # not in the snapshot
    try:
        said = services.up(cfg, saved["folder"], tmp_path / "artifacts")
        assert said[-1] == f"restored from the snapshot {saved['folder']}"
        assert found(cfg) == saved["built"]
        assert admin_sql(cfg, "select string_agg(word, ',') from kept") == "before"
        assert admin_sql(cfg, "show port") == str(OTHER_PORTS[1])
        assert (tmp_path / "artifacts" / "outputs.json").read_text(encoding="utf-8") == '{"DatabaseEndpoint": "snapshot"}'
        # The restored emulator runs the function, as the one it was saved from did.
        answer = client(cfg, "lambda").invoke(FunctionName="snapshot", Payload=b'{"n": 1}')
        assert json.loads(answer["Payload"].read()) == {"echo": {"n": 1}}
        # A new resource gets an id of its own, not one the snapshot holds.
        extra = client(cfg, "ec2").create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
        assert extra != saved["built"]["vpc"]
    finally:
        services.down(cfg)


def test_a_folder_that_is_not_a_snapshot_is_named(tmp_path):
    (tmp_path / "not-a-snapshot").mkdir()
    cfg = settings(tmp_path, OTHER_PORTS)
    with pytest.raises(services.ServiceError) as raised:
        services.up(cfg, tmp_path / "not-a-snapshot")
    assert str(raised.value) == f"{tmp_path / 'not-a-snapshot'} is not a snapshot of the local environment: it has no emulator.state"
    assert not cfg.state.exists()  # refused before anything was started


def test_an_unreadable_emulator_state_is_named_by_the_emulator(saved, tmp_path):
    broken = tmp_path / "broken"
    services.shutil.copytree(saved["folder"], broken)
    (broken / services.SNAPSHOT_EMULATOR).write_bytes(b"not a pickle")
    cfg = settings(tmp_path, OTHER_PORTS)
    try:
        with pytest.raises(services.ServiceError, match=f"error: SHOPPULSE_EMULATOR_STATE: {broken / 'emulator.state'} is not an emulator state"):
            services.up(cfg, broken)
    finally:
        services.down(cfg)


def test_a_snapshot_is_not_written_over_an_existing_folder(saved):
    with pytest.raises(services.ServiceError, match=f"snapshot folder {saved['folder']} exists already"):
        services.snapshot(saved["cfg"], saved["folder"])


def test_the_command_line_starts_from_a_snapshot(saved, tmp_path):
    env = {**services.os.environ, "SHOPPULSE_LOCAL_STATE": str(tmp_path / "state"), "SHOPPULSE_EMULATOR_PORT": str(OTHER_PORTS[0]),
           "SHOPPULSE_PG_PORT": str(OTHER_PORTS[1]), "SHOPPULSE_ARTIFACTS_DIR": str(tmp_path / "artifacts")}
    command = [services.sys.executable, "-m", "localenv"]
    try:
        up = subprocess.run([*command, "up", str(saved["folder"])], env=env, cwd=services.CHECKOUT, capture_output=True,
                            text=True, check=False)
        assert up.returncode == 0, up.stderr
        assert found(settings(tmp_path, OTHER_PORTS)) == saved["built"]
        assert (tmp_path / "artifacts" / "outputs.json").exists()
    finally:
        subprocess.run([*command, "down"], env=env, cwd=services.CHECKOUT, capture_output=True, check=False)
    usage = subprocess.run([*command, "snapshot"], env=env, cwd=services.CHECKOUT, capture_output=True, text=True, check=False)
    assert usage.returncode == 2 and "snapshot SNAPSHOT_FOLDER" in usage.stderr
