"""make prices: each pinned entry is asked of the Price List API with its filters, and refreshed with its SKU and date."""

import json

import boto3
import pytest
import yaml
from botocore.stub import Stubber

from tools import prices

LOCATION = "US East (N. Virginia)"
PRICE_LIST = {
    "region": "us-east-1",
    "location": LOCATION,
    "prices": [
        {"id": "rds_instance/Single-AZ/db.t3.medium", "usd": 0.072, "unit": "Hrs", "source": "https://aws.amazon.com/rds/postgresql/pricing/",
         "date": "2026-12-02", "service": "AmazonRDS",
         "filters": {"productFamily": "Database Instance", "databaseEngine": "PostgreSQL", "deploymentOption": "Single-AZ",
                     "instanceType": "db.t3.medium"}},
        {"id": "secret_api_calls", "usd": 0.05, "unit": "10K API calls", "source": "https://aws.amazon.com/secrets-manager/pricing/",
         "date": "2026-12-02", "service": "AWSSecretsManager", "filters": {"usagetype": "AWSSecretsManager-APIRequest"}},
    ],
}


def product(sku, usd, published="2026-11-20T00:00:00Z"):
    """One PriceList item as GetProducts returns it (a JSON document per product)."""
    return json.dumps({
        "product": {"sku": sku, "attributes": {}},
        "publicationDate": published,
        "terms": {"OnDemand": {f"{sku}.JRTCKXETXF": {"priceDimensions": {
            f"{sku}.JRTCKXETXF.6YS6EN2CT7": {"unit": "Hrs", "beginRange": "0", "pricePerUnit": {"USD": usd}}}}}},
    })


def request(entry):
    filters = [{"Type": "TERM_MATCH", "Field": field, "Value": value} for field, value in {**entry["filters"], "location": LOCATION}.items()]
    return {"ServiceCode": entry["service"], "Filters": filters, "FormatVersion": "aws_v1", "MaxResults": 10}


@pytest.fixture(name="pricing")
def fixture_pricing():
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def test_refresh_asks_each_entry_with_its_filters_and_records_the_sku_and_publication_date(pricing):
    client, stubber = pricing
    instance, calls = PRICE_LIST["prices"]
    stubber.add_response("get_products", {"PriceList": [product("ABC123", "0.0730000000")]}, request(instance))
    stubber.add_response("get_products", {"PriceList": [product("DEF456", "0.0000050000")]}, request(calls))

    refreshed, missing = prices.refresh(client, PRICE_LIST)

    assert missing == []
    first, second = refreshed["prices"]
    assert first["usd"] == 0.073 and first["source"] == "AWS Price List API, AmazonRDS SKU ABC123" and first["date"] == "2026-11-20"
    assert second["usd"] == 0.05, "a per-call price is kept per 10,000 calls"
    assert first["filters"] == instance["filters"] and first["unit"] == "Hrs"


def test_an_entry_the_api_does_not_find_keeps_its_pinned_price_and_is_named(pricing):
    client, stubber = pricing
    instance, calls = PRICE_LIST["prices"]
    stubber.add_response("get_products", {"PriceList": []}, request(instance))
    stubber.add_response("get_products", {"PriceList": [product("DEF456", "0.0000050000")]}, request(calls))

    refreshed, missing = prices.refresh(client, PRICE_LIST)

    assert missing == ["rds_instance/Single-AZ/db.t3.medium"]
    assert refreshed["prices"][0] == instance


def test_main_leaves_the_file_alone_when_an_entry_is_missing_unless_partial(pricing, tmp_path, monkeypatch):
    client, stubber = pricing
    monkeypatch.setattr(prices, "PRICES", tmp_path)
    monkeypatch.setattr(prices, "CHECKOUT", tmp_path)
    path = tmp_path / "us-east-1.yml"
    path.write_text(prices.dump(PRICE_LIST), encoding="utf-8")
    instance, calls = PRICE_LIST["prices"]
    for _attempt in range(2):
        stubber.add_response("get_products", {"PriceList": []}, request(instance))
        stubber.add_response("get_products", {"PriceList": [product("DEF456", "0.0000060000")]}, request(calls))

    assert prices.main(["us-east-1"], client=client) == 1
    assert prices.load(path) == PRICE_LIST
    assert prices.main(["us-east-1", "--partial"], client=client) == 0
    assert prices.load(path)["prices"][1]["usd"] == 0.06


def test_the_pinned_file_is_what_dump_writes():
    pinned = prices.PRICES / "us-east-1.yml"
    assert prices.dump(prices.load(pinned)) == pinned.read_text(encoding="utf-8")
    assert yaml.safe_load(prices.dump(PRICE_LIST)) == PRICE_LIST
