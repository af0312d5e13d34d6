"""Refresh the pinned price lists (prices/<region>.yml) from the AWS Price List API (make prices).

Every entry of a price list names the Price List service and the TERM_MATCH filters that find its product; this
asks pricing:GetProducts for each, takes the on-demand USD price (the first tier where a price is tiered), and
records the product's SKU and the publication date as the entry's source and date. Entries the API does not find
keep their pinned price and are listed; the file is rewritten only when every entry was found, unless --partial.

    python -m tools.prices                       # refresh every prices/*.yml
    python -m tools.prices us-east-1 --partial   # one region; keep what the API did not find

It needs AWS credentials allowed pricing:GetProducts (the Price List API answers in us-east-1); the local
environment's emulator has no pricing API, so the pinned files are what it uses.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import yaml

CHECKOUT = Path(__file__).resolve().parent.parent
PRICES = CHECKOUT / "prices"
# The Price List API's endpoints are us-east-1 and ap-south-1 (AWS Price List API reference, "Service endpoints").
PRICING_REGION = "us-east-1"
HEADER = """---
# On-demand list prices in {region} (USD), each with where it was read and when. `make prices` refreshes every
# entry from the AWS Price List API (pricing:GetProducts: the entry's service, its TERM_MATCH filters and the location)
# where credentials allow, and records the SKU as the source; without credentials (the local environment) this
# pinned file is what cost.yml and the preview use. docs/cost.md
"""
# Prices the list quotes per unit that the file keeps per a larger quantity.
PER_QUANTITY = {"10K API calls": 10000}


class PriceListError(RuntimeError):
    """The Price List API answered something this tool cannot read as one USD price."""


def _scalar(value) -> str:
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10**6).removesuffix("\n...\n").strip()


def dump(price_list: dict) -> str:
    """The price list as yamllint-clean YAML: one block per entry, its filters on one line."""
    lines = [HEADER.format(region=price_list["region"]).rstrip("\n"),
             f"region: {_scalar(price_list['region'])}", f"location: {_scalar(price_list['location'])}", "prices:"]
    for entry in price_list["prices"]:
        first = True
        for key, value in entry.items():
            lines.append(("  - " if first else "    ") + f"{key}: {_scalar(value)}")
            first = False
    return "\n".join(lines) + "\n"


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def on_demand_usd(product: dict) -> tuple[float, str]:
    """The on-demand USD price per unit of one GetProducts PriceList item, and its SKU."""
    terms = product.get("terms", {}).get("OnDemand", {})
    for term in terms.values():
        dimensions = sorted(term.get("priceDimensions", {}).values(), key=lambda d: float(d.get("beginRange", 0) or 0))
        for dimension in dimensions:
            usd = dimension.get("pricePerUnit", {}).get("USD")
            if usd is not None:
                return float(usd), product.get("product", {}).get("sku", "")
    raise PriceListError(f"no on-demand USD price in product {product.get('product', {}).get('sku', '?')}")


def fetch(client, entry: dict, location: str) -> dict | None:
    """The entry with the price GetProducts gives for its filters in the location, or None when no product matches."""
    terms = {**entry["filters"], "location": location}
    filters = [{"Type": "TERM_MATCH", "Field": field, "Value": str(value)} for field, value in terms.items()]
    response = client.get_products(ServiceCode=entry["service"], Filters=filters, FormatVersion="aws_v1", MaxResults=10)
    products = [json.loads(item) for item in response.get("PriceList", [])]
    priced = []
    for product in products:
        try:
            priced.append(on_demand_usd(product))
        except PriceListError:
            continue
    if not priced:
        return None
    usd, sku = priced[0]
    published = products[0].get("publicationDate", "")[:10] or date.today().isoformat()
    usd *= PER_QUANTITY.get(entry["unit"], 1)
    return {**entry, "usd": round(usd, 6), "source": f"AWS Price List API, {entry['service']} SKU {sku}",
            "date": published}


def refresh(client, price_list: dict) -> tuple[dict, list[str]]:
    """The price list with every entry the API finds refreshed, and the ids of those it does not find."""
    refreshed, missing = [], []
    for entry in price_list["prices"]:
        found = fetch(client, entry, price_list["location"])
        if found is None:
            missing.append(entry["id"])
        refreshed.append(found or entry)
    return {**price_list, "prices": refreshed}, missing


def main(argv: list[str] | None = None, client=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    partial = "--partial" in args
    regions = [arg for arg in args if not arg.startswith("--")]
    paths = [PRICES / f"{region}.yml" for region in regions] or sorted(PRICES.glob("*.yml"))
    if client is None:
        import boto3  # pylint: disable=import-outside-toplevel

        client = boto3.client("pricing", region_name=PRICING_REGION)
    status = 0
    for path in paths:
        if not path.is_file():
            print(f"error: {path.relative_to(CHECKOUT)} does not exist", file=sys.stderr)
            return 1
        price_list, missing = refresh(client, load(path))
        if missing:
            print(f"{path.name}: not found by the Price List API, pinned price kept: {', '.join(missing)}", file=sys.stderr)
        if missing and not partial:
            status = 1
            continue
        path.write_text(dump(price_list), encoding="utf-8")
        print(f"{path.name}: {len(price_list['prices']) - len(missing)} prices refreshed")
    return status


if __name__ == "__main__":
    sys.exit(main())
