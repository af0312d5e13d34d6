"""The emulator's process reads botocore's data files once, however many sessions moto makes (localenv/emulator.py);
the tests' own in-process moto builds an account's EC2 without moto's sample of public images (tests/conftest.py)."""

import subprocess
import sys
from pathlib import Path

import boto3
from moto import mock_aws

CHECKOUT = Path(__file__).resolve().parents[2]
# In a process of its own: this test process shares one loader already (tests/conftest.py).
PROBE = """
import boto3, botocore.session
from localenv.emulator import share_botocore_loader
def loaders():
    return [boto3.session.Session()._session.get_component("data_loader") for _ in range(2)]
first, second = loaders()
assert first is not second, "botocore already shares its loader: nothing to do"
share_botocore_loader()
share_botocore_loader()  # a second call wraps nothing again
first, second = loaders()
assert first is second
assert not hasattr(botocore.session.create_loader.__wrapped__, "cache_info")
print("one loader")
"""


def test_sessions_made_after_the_emulator_starts_share_one_loader():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=CHECKOUT, capture_output=True, text=True, check=False,
                            env={"PYTHONPATH": str(CHECKOUT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0 and result.stdout.strip() == "one loader", result.stderr


def test_this_process_builds_an_accounts_ec2_without_public_images():
    with mock_aws():
        assert not boto3.client("ec2", region_name="us-east-1").describe_images(Owners=["amazon"])["Images"]
