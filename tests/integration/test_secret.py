"""The master credentials secret holds what RDS, the proxy and the seed's Lambdas read from it.

No assertion here may show the password: its checks compare numbers (a length, a count), never its text,
and the fixture wraps it so that its repr is a placeholder.
"""

import json
import string

from .conftest import APP_SECRET_NAME, SECRET_NAME, Password

# CDK's default excludeCharacters for rds.Credentials.fromGeneratedSecret: space % + ~ ` # $ & * ( ) | [ ] { } : ; < > ? ! ' / @ " \
CDK_EXCLUDED = set(" %+~`#$&*()|[]{}:;<>?!'/@\"\\")
PASSWORD_LENGTH = 32  # roles/secrets/defaults/main.yml: secrets_password_length


def test_outputs_name_the_secret(aws, outputs):
    described = aws("secretsmanager").describe_secret(SecretId=outputs["DatabaseSecretArn"])
    assert (described["ARN"], described["Name"]) == (outputs["DatabaseSecretArn"], SECRET_NAME)
    assert outputs["LambdaEnvironment"]["RDS_SECRET_ARN"] != outputs["DatabaseSecretArn"], "the functions must not get the master secret"


def test_application_secret_names_the_proxy_and_the_application_role(aws, outputs, db_secret):
    """The functions' secret: the master's keys, its own user and password, host and port the proxy's."""
    described = aws("secretsmanager").describe_secret(SecretId=outputs["DatabaseAppSecretArn"])
    assert (described["ARN"], described["Name"]) == (outputs["DatabaseAppSecretArn"], APP_SECRET_NAME)
    assert outputs["LambdaEnvironment"]["RDS_SECRET_ARN"] == outputs["DatabaseAppSecretArn"]
    value = json.loads(aws("secretsmanager").get_secret_value(SecretId=outputs["DatabaseAppSecretArn"])["SecretString"])
    password = Password(value.pop("password"))
    assert sorted(value) == ["dbname", "engine", "host", "port", "username"]
    assert value == {"username": "shoppulse_app", "engine": "postgres", "dbname": "shoppulse",
                     "host": outputs["DatabaseProxyEndpoint"], "port": int(outputs["LambdaEnvironment"]["RDS_PORT"])}
    assert len(password) == PASSWORD_LENGTH, f"the password has {len(password)} characters, not {PASSWORD_LENGTH}"
    assert password.reveal() != db_secret["password"].reveal(), "the application role has a password of its own"


def test_secret_holds_exactly_the_keys_of_an_rds_secret(db_secret):
    assert sorted(db_secret) == ["dbname", "engine", "host", "password", "port", "username"]


def test_secret_names_the_instance_and_its_database(db_secret, db_instance):
    endpoint = db_instance["Endpoint"]
    assert db_secret["host"] == endpoint["Address"], "host should be the instance's endpoint address"
    assert isinstance(db_secret["port"], int) and not isinstance(db_secret["port"], bool), (
        f"port should be a JSON number, is {type(db_secret['port']).__name__}")
    assert db_secret["port"] == endpoint["Port"], "port should be the instance's endpoint port"
    assert (db_secret["engine"], db_secret["dbname"]) == ("postgres", "shoppulse")
    assert db_secret["username"] == db_instance["MasterUsername"], "username should be the instance's master user"


def test_password_has_the_generated_length(db_secret):
    length = len(db_secret["password"])
    assert length == PASSWORD_LENGTH, f"the password has {length} characters, not {PASSWORD_LENGTH}"


def test_password_has_none_of_the_characters_cdk_excludes(db_secret):
    excluded = sum(1 for char in db_secret["password"] if char in CDK_EXCLUDED)
    assert excluded == 0, f"the password holds {excluded} character(s) CDK excludes (or RDS refuses)"


def test_password_is_printable_ascii(db_secret):
    allowed = set(string.ascii_letters + string.digits + string.punctuation)
    other = sum(1 for char in db_secret["password"] if char not in allowed)
    assert other == 0, f"the password holds {other} character(s) outside printable ASCII"
