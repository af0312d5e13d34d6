"""Regenerate the figures of docs/cost.md from what playbooks/cost.yml computes for each inventory.

Runs ``ansible-playbook -i inventories/<env> playbooks/cost.yml`` for every environment (no AWS call: it prices the
inventory at the pinned prices), reads the cost.json each writes, and renders the block between the markers of
docs/cost.md: the seed's table beside the tool's figures for inventories/local (the seed's configuration), every line
with its source, and each environment's total.

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
# The inventories priced, in the order of the page's table.
ENVIRONMENTS = ("local", "dev", "staging", "prod")
DOC = CHECKOUT / "docs" / "cost.md"
BEGIN = "<!-- BEGIN generated from playbooks/cost.yml: make cost-doc -->"
END = "<!-- END generated from playbooks/cost.yml -->"
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


def run_cost_playbook(inventory: str = "local") -> dict:
    """cost.json as playbooks/cost.yml writes it for inventories/<inventory>."""
    with tempfile.TemporaryDirectory() as artifacts:
        env = {**os.environ, "SHOPPULSE_ARTIFACTS_DIR": artifacts, "ANSIBLE_CONFIG": str(CHECKOUT / "ansible.cfg"),
               "ANSIBLE_NOCOLOR": "1"}
        argv = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", f"inventories/{inventory}", "playbooks/cost.yml"]
        result = subprocess.run(argv, cwd=CHECKOUT, env=env, capture_output=True, text=True, check=False, timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"playbooks/cost.yml failed on inventories/{inventory}:\n{result.stdout}\n{result.stderr}")
        return json.loads((Path(artifacts) / "cost.json").read_text(encoding="utf-8"))


def run_every_environment() -> dict[str, dict]:
    """cost.json of every inventory, local first."""
    return {env: run_cost_playbook(env) for env in ENVIRONMENTS}


def _usd(value: float) -> str:
    return f"${value:,.2f}"


def render(estimates: dict[str, dict]) -> str:
    """The generated block: the seed's table beside the tool's, every line with its source, each environment's total."""
    estimate = estimates["local"]
    amounts = {item["id"]: item["monthly_usd"] for item in estimate["items"]}
    covered = {line for row in SEED_ROWS for line in row[2]}
    lines = [BEGIN, "", "| the seed's line | the seed | cost.yml | why they differ |", "| --- | ---: | ---: | --- |"]
    for label, seed, ids, why in SEED_ROWS:
        lines.append(f"| {label} | ${seed} | {_usd(sum(amounts[i] for i in ids))} | {why} |")
    rest = sum(amount for item_id, amount in amounts.items() if item_id not in covered)
    lines.append(f"| (not in the seed's table) | $0 | {_usd(rest)} | the two secrets, their API calls, the alarms and the dashboard, "
                 "log ingestion and storage: see the lines below |")
    lines.append(f"| **Total** | **$119** | **{_usd(estimate['monthly_total_usd'])}** | |")
    lines += ["", "| line | quantity | unit price | per month | price's source (date) |", "| --- | ---: | ---: | ---: | --- |"]
    for item in estimate["items"]:
        lines.append(f"| {item['description']} | {item['quantity']:,.4g} {item['unit']} | ${item['unit_price_usd']:g} | "
                     f"{_usd(item['monthly_usd'])} | {item['source']} ({item['price_date']}) |")
    lines += [f"| **Total per month** | | | **{_usd(estimate['monthly_total_usd'])}** | |", ""]
    lines += ["| inventory | instance | proxy | NAT gateways and their IPv4 | Performance Insights | logs | per month |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for env, each in estimates.items():
        amounts = {item["id"]: item["monthly_usd"] for item in each["items"]}
        instance = next(item["description"].split(",")[0].removeprefix("DB instance ") for item in each["items"] if item["id"] == "rds_instance")
        cells = [f"{instance} {_usd(amounts['rds_instance'])}", _usd(amounts["rds_proxy"]),
                 _usd(amounts["nat_gateway_hours"] + amounts["nat_gateway_ipv4"]),
                 _usd(amounts["rds_performance_insights_first_month"] + amounts["rds_performance_insights_more_months"]),
                 _usd(amounts["logs_ingestion"] + amounts["logs_storage"]), f"**{_usd(each['monthly_total_usd'])}**"]
        lines.append(f"| `{env}` | " + " | ".join(cells) + " |")
    lines += ["", END]
    return "\n".join(lines)


def rewrite(text: str, block: str) -> str:
    start, stop = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + block + text[stop:]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    block = render(run_every_environment())
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
