"""playbooks/outputs.yml reads the deployed environment back: the same outputs site.yml wrote, nothing changed."""

import json
import os
import subprocess
import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]


def test_prints_what_site_wrote_and_changes_nothing(outputs):
    env = {**os.environ, "ANSIBLE_CONFIG": str(CHECKOUT / "ansible.cfg"), "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.json"}
    run = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", "inventories/local", "playbooks/outputs.yml"],
                         cwd=CHECKOUT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    report = json.loads(run.stdout)
    assert report["stats"]["localhost"]["changed"] == 0
    printed = report["plays"][0]["tasks"][-1]["hosts"]["localhost"]["shoppulse_outputs"]
    assert printed == outputs
