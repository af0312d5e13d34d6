"""Regenerate the figures of docs/cost.md from what playbooks/cost.yml computes for the seed's configuration.

Runs ``ansible-playbook -i inventories/local playbooks/cost.yml`` (no AWS call: it prices the inventory at the pinned
prices), reads the cost.json it writes, and renders the block between the markers of docs/cost.md: every line with its
source, and the seed's table beside the tool's figures.

    python -m tools.cost_doc           # print the block
    python -m tools.cost_doc --write   # rewrite it in docs/cost.md (make cost-doc)
    python -m tools.cost_doc --check   # exit 1 when docs/cost.md differs from what cost.yml computes
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
DOC = CHECKOUT / "docs" / "cost.md"
BEGIN = "<!-- BEGIN cost.yml inventories/local: make cost-doc -->"
END = "<!-- END cost.yml inventories/local -->"
# The seed's table (infrastructure README, "Cost Optimization"), each row with the estimate's lines it covers and why
# the two differ.
SEED_ROWS = (
    ("RDS db.t3.medium", 60, ("rds_instance",),
     "730 h at $0.072 an hour; $60 is $0.082 an hour, not the current list price"),
    ("100 GB GP3 storage", 12, ("rds_storage",), "$0.115 per GB-month, rounded up by the seed"),
    ("RDS Proxy", 15, ("rds_proxy",),
     "billed per vCPU-hour of the target's class, 2 vCPUs at least: 2 x 730 h x $0.015, not a flat $15"),
    ("NAT Gateway", 32, ("nat_gateway_hours", "nat_gateway_ipv4", "nat_gateway_data"),
     "the gateway's hours ($32.85) plus its public IPv4 address ($3.65), which AWS bills since 2024, and the data it processes"),
)


def run_cost_playbook() -> dict:
    """cost.json as playbooks/cost.yml writes it for inventories/local."""
    with tempfile.TemporaryDirectory() as artifacts:
        env = {**os.environ, "SHOPPULSE_ARTIFACTS_DIR": artifacts, "ANSIBLE_CONFIG": str(CHECKOUT / "ansible.cfg"),
               "ANSIBLE_NOCOLOR": "1"}
        argv = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "inventories/local", "playbooks/cost.yml"]
        result = subprocess.run(argv, cwd=CHECKOUT, env=env, capture_output=True, text=True, check=False, timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"playbooks/cost.yml failed:\n{result.stdout}\n{result.stderr}")
        return json.loads((Path(artifacts) / "cost.json").read_text(encoding="utf-8"))


def _usd(value: float) -> str:
    return f"${value:,.2f}"


def render(estimate: dict) -> str:
    """The generated block: the seed's table beside the tool's, then every line with its source."""
    amounts = {item["id"]: item["monthly_usd"] for item in estimate["items"]}
    covered = {line for _, _, lines, _ in SEED_ROWS for line in lines}
    lines = [BEGIN, "", "| the seed's line | the seed | cost.yml | why they differ |", "| --- | ---: | ---: | --- |"]
    for label, seed, ids, why in SEED_ROWS:
        lines.append(f"| {label} | ${seed} | {_usd(sum(amounts[i] for i in ids))} | {why} |")
    rest = sum(amount for item_id, amount in amounts.items() if item_id not in covered)
    lines.append(f"| (not in the seed's table) | $0 | {_usd(rest)} | the secret, its API calls, log ingestion and storage: "
                 "see the lines below |")
    lines.append(f"| **Total** | **$119** | **{_usd(estimate['monthly_total_usd'])}** | |")
    lines += ["", "| line | quantity | unit price | per month | price's source (date) |", "| --- | ---: | ---: | ---: | --- |"]
    for item in estimate["items"]:
        lines.append(f"| {item['description']} | {item['quantity']:,.4g} {item['unit']} | ${item['unit_price_usd']:g} | "
                     f"{_usd(item['monthly_usd'])} | {item['source']} ({item['price_date']}) |")
    lines += [f"| **Total per month** | | | **{_usd(estimate['monthly_total_usd'])}** | |", "", END]
    return "\n".join(lines)


def rewrite(text: str, block: str) -> str:
    start, stop = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + block + text[stop:]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    block = render(run_cost_playbook())
    text = DOC.read_text(encoding="utf-8")
    if "--write" in args:
        DOC.write_text(rewrite(text, block), encoding="utf-8")
    elif "--check" in args:
        if rewrite(text, block) != text:
            print("docs/cost.md differs from what playbooks/cost.yml computes: run make cost-doc", file=sys.stderr)
            return 1
    else:
        print(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
