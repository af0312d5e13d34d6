-- Six campaigns per sample tenant across channels, with budget, spend and results.
INSERT INTO marketing_campaigns (tenant_id, campaign_id, name, channel, status, currency, budget_amount, spend_amount,
                                 revenue_amount, impressions, clicks, conversions, starts_at, ends_at, created_by)
SELECT t.tenant_id,
       md5('shoppulse-seed:campaign:' || t.slug || ':' || n)::uuid,
       (ARRAY['Spring newsletter', 'Search always-on', 'Summer social push', 'Display retargeting',
              'Affiliate partners', 'Loyalty SMS'])[n],
       (ARRAY['email', 'paid_search', 'paid_social', 'display', 'affiliate', 'sms'])[n],
       (ARRAY['completed', 'active', 'active', 'paused', 'scheduled', 'draft'])[n],
       t.default_currency,
       1000 * n + 500,
       CASE WHEN n <= 4 THEN 800 * n ELSE 0 END,
       CASE WHEN n <= 4 THEN 2100 * n + 75.50 ELSE 0 END,
       CASE WHEN n <= 4 THEN 40000 * n ELSE 0 END,
       CASE WHEN n <= 4 THEN 1300 * n ELSE 0 END,
       CASE WHEN n <= 4 THEN 45 * n ELSE 0 END,
       CASE WHEN n < 6 THEN timestamptz '2025-03-01 00:00:00+00' + (n - 1) * interval '30 days' END,
       CASE WHEN n = 1 THEN timestamptz '2025-03-31 00:00:00+00' END,
       md5('shoppulse-seed:user:' || t.slug || ':5')::uuid
FROM tenants AS t
CROSS JOIN generate_series(1, 6) AS n
WHERE t.slug IN ('northwind-outfitters', 'bluebird-home', 'cedar-coffee')
ON CONFLICT DO NOTHING
