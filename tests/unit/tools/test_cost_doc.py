"""docs/cost.md shows what playbooks/cost.yml computes for each inventory: a page that drifts fails here."""

import pytest

from tools import cost_doc


@pytest.fixture(name="estimates", scope="module")
def fixture_estimates():
    return cost_doc.run_every_environment()


def test_the_page_holds_what_cost_yml_computes_for_every_inventory(estimates):
    text = cost_doc.DOC.read_text(encoding="utf-8")
    assert cost_doc.rewrite(text, cost_doc.render(estimates)) == text, "docs/cost.md is stale: run make cost-doc"


def test_a_changed_figure_changes_the_page(estimates):
    text = cost_doc.DOC.read_text(encoding="utf-8")
    dearer = {**estimates, "prod": {**estimates["prod"], "monthly_total_usd": estimates["prod"]["monthly_total_usd"] + 1}}
    assert cost_doc.rewrite(text, cost_doc.render(dearer)) != text


def test_the_seed_configuration_costs_more_than_the_seeds_119_and_every_line_has_its_source(estimates):
    assert 119 < estimates["local"]["monthly_total_usd"] < 130
    assert all(item["source"] and item["price_date"] for estimate in estimates.values() for item in estimate["items"])


def test_dev_costs_less_than_staging_which_costs_no_more_than_prod(estimates):
    assert estimates["dev"]["monthly_total_usd"] < estimates["staging"]["monthly_total_usd"] <= estimates["prod"]["monthly_total_usd"]
