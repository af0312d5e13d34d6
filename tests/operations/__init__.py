"""Tests of what operators run against the environments: inventories, previews, the variables reference."""
