-- Four governance rules per sample tenant.
INSERT INTO governance_rules (tenant_id, rule_id, name, rule_type, configuration, enabled, priority, effective_from,
                              created_by)
SELECT t.tenant_id,
       md5('shoppulse-seed:rule:' || t.slug || ':' || g.name)::uuid,
       g.name,
       g.rule_type,
       g.configuration::jsonb,
       g.enabled,
       g.priority,
       timestamptz '2025-01-01 00:00:00+00',
       md5('shoppulse-seed:user:' || t.slug || ':1')::uuid
FROM tenants AS t
CROSS JOIN (VALUES
    ('Keep audit logs for seven years', 'data_retention', '{"table": "audit_logs", "days": 2555}', true, 10),
    ('Mask customer e-mail outside support', 'pii_masking', '{"columns": ["users.email"], "except_roles": ["admin"]}', true, 20),
    ('No raw exports for viewers', 'export_restriction', '{"roles": ["viewer"], "formats": ["csv", "xlsx"]}', true, 30),
    ('Business hours access for contractors', 'access_window', '{"days": "mon-fri", "from": "08:00", "to": "18:00"}', false, 40)
) AS g (name, rule_type, configuration, enabled, priority)
WHERE t.slug IN ('northwind-outfitters', 'bluebird-home', 'cedar-coffee')
ON CONFLICT DO NOTHING
