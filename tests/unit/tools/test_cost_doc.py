"""docs/cost.md shows what playbooks/cost.yml computes for the seed's configuration: a page that drifts fails here."""

import pytest

from tools import cost_doc


@pytest.fixture(name="estimate", scope="module")
def fixture_estimate():
    return cost_doc.run_cost_playbook()


def test_the_page_holds_what_cost_yml_computes_for_inventories_local(estimate):
    text = cost_doc.DOC.read_text(encoding="utf-8")
    assert cost_doc.rewrite(text, cost_doc.render(estimate)) == text, "docs/cost.md is stale: run make cost-doc"


def test_a_changed_price_changes_the_page(estimate):
    text = cost_doc.DOC.read_text(encoding="utf-8")
    dearer = {**estimate, "monthly_total_usd": estimate["monthly_total_usd"] + 1}
    assert cost_doc.rewrite(text, cost_doc.render(dearer)) != text


def test_the_seed_configuration_costs_between_the_seeds_119_and_the_corrected_fixed_prices_with_usage(estimate):
    assert 119 < estimate["monthly_total_usd"] < 130
    assert all(item["source"] for item in estimate["items"])
