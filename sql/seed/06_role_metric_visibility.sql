-- Which role sees and exports which metric, for every role and metric of each sample tenant.
INSERT INTO role_metric_visibility (tenant_id, visibility_id, role, metric_key, can_view, can_export)
SELECT t.tenant_id,
       md5('shoppulse-seed:visibility:' || t.slug || ':' || r.role || ':' || m.metric_key)::uuid,
       r.role,
       m.metric_key,
       r.role IN ('owner', 'admin', 'analyst') OR m.metric_key LIKE r.area || '.%',
       r.role IN ('owner', 'admin') OR (r.role = 'analyst' AND m.metric_key NOT LIKE 'finance.%')
FROM tenants AS t
CROSS JOIN (VALUES ('owner', 'all'), ('admin', 'all'), ('analyst', 'all'), ('marketer', 'marketing'),
                   ('fulfillment', 'fulfillment'), ('viewer', 'sales')) AS r (role, area)
CROSS JOIN (VALUES ('sales.revenue'), ('sales.order_count'), ('finance.gross_margin'), ('marketing.roas'),
                   ('marketing.conversion_rate'), ('fulfillment.on_time_rate')) AS m (metric_key)
WHERE t.slug IN ('northwind-outfitters', 'bluebird-home', 'cedar-coffee')
ON CONFLICT DO NOTHING
