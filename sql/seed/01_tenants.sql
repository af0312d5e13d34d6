-- Sample tenants. Ids are derived from fixed strings, so every load targets the same rows and
-- ON CONFLICT DO NOTHING makes a second load insert nothing.
INSERT INTO tenants (tenant_id, slug, name, plan, status, default_currency, timezone)
SELECT md5('shoppulse-seed:tenant:' || slug)::uuid, slug, name, plan, 'active', currency, timezone
FROM (VALUES
    ('northwind-outfitters', 'Northwind Outfitters', 'enterprise', 'USD', 'America/New_York'),
    ('bluebird-home', 'Bluebird Home & Garden', 'standard', 'EUR', 'Europe/Berlin'),
    ('cedar-coffee', 'Cedar Coffee Roasters', 'trial', 'GBP', 'Europe/London')
) AS seed (slug, name, plan, currency, timezone)
ON CONFLICT DO NOTHING
