-- Twelve users per sample tenant, one or two per role.
INSERT INTO users (tenant_id, user_id, cognito_sub, email, display_name, role, status, last_login_at)
SELECT t.tenant_id,
       md5('shoppulse-seed:user:' || t.slug || ':' || n)::uuid,
       md5('shoppulse-seed:cognito-sub:' || t.slug || ':' || n)::uuid,
       'user' || n || '@' || t.slug || '.example',
       'Sample User ' || n,
       (ARRAY['owner', 'admin', 'analyst', 'analyst', 'marketer', 'marketer',
              'fulfillment', 'fulfillment', 'viewer', 'viewer', 'viewer', 'analyst'])[n],
       CASE WHEN n = 12 THEN 'invited' WHEN n = 11 THEN 'disabled' ELSE 'active' END,
       CASE WHEN n < 11 THEN timestamptz '2025-06-30 09:00:00+00' - n * interval '1 day' END
FROM tenants AS t
CROSS JOIN generate_series(1, 12) AS n
WHERE t.slug IN ('northwind-outfitters', 'bluebird-home', 'cedar-coffee')
ON CONFLICT DO NOTHING
