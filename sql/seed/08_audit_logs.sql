-- Thirty audit entries per sample tenant, from users, the system and the API.
INSERT INTO audit_logs (tenant_id, audit_id, actor_type, actor_user_id, actor_label, action, target_type, target_id,
                        details, ip_address, occurred_at)
SELECT t.tenant_id,
       md5('shoppulse-seed:audit:' || t.slug || ':' || n)::uuid,
       CASE WHEN n % 10 = 0 THEN 'system' WHEN n % 7 = 0 THEN 'api' ELSE 'user' END,
       CASE WHEN n % 10 <> 0 AND n % 7 <> 0 THEN md5('shoppulse-seed:user:' || t.slug || ':' || (n % 10 + 1))::uuid END,
       CASE WHEN n % 10 = 0 THEN 'scheduler' WHEN n % 7 = 0 THEN 'reporting-api'
            ELSE 'user' || (n % 10 + 1) || '@' || t.slug || '.example' END,
       (ARRAY['order.update', 'campaign.update', 'report.export', 'user.login', 'governance_rule.update'])[n % 5 + 1],
       (ARRAY['order', 'marketing_campaign', 'report', 'user', 'governance_rule'])[n % 5 + 1],
       'seed-target-' || n,
       jsonb_build_object('seed', true, 'sequence', n),
       ('10.0.' || (n % 4) || '.' || (10 + n))::inet,
       timestamptz '2025-06-01 00:00:00+00' + n * interval '11 hours'
FROM tenants AS t
CROSS JOIN generate_series(1, 30) AS n
WHERE t.slug IN ('northwind-outfitters', 'bluebird-home', 'cedar-coffee')
ON CONFLICT DO NOTHING
