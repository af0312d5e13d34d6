-- What each role may see of each metric, and the tenant's data governance rules.

CREATE TABLE role_metric_visibility (
    tenant_id     uuid        NOT NULL,
    visibility_id uuid        NOT NULL DEFAULT gen_random_uuid(),
    role          tenant_role NOT NULL,
    metric_key    text        NOT NULL,
    can_view      boolean     NOT NULL DEFAULT true,
    can_export    boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT role_metric_visibility_pkey PRIMARY KEY (tenant_id, visibility_id),
    CONSTRAINT role_metric_visibility_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (tenant_id),
    -- One decision per role and metric in a tenant.
    CONSTRAINT role_metric_visibility_role_metric_key UNIQUE (tenant_id, role, metric_key),
    CONSTRAINT role_metric_visibility_metric_key_check CHECK (metric_key ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$'),
    CONSTRAINT role_metric_visibility_export_check CHECK (can_view OR NOT can_export)
);

COMMENT ON TABLE role_metric_visibility IS 'Per-tenant access control: which role sees and exports which metric';

CREATE INDEX role_metric_visibility_tenant_metric_idx ON role_metric_visibility (tenant_id, metric_key);

CREATE TRIGGER role_metric_visibility_set_updated_at
    BEFORE UPDATE ON role_metric_visibility
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE governance_rules (
    tenant_id       uuid        NOT NULL,
    rule_id         uuid        NOT NULL DEFAULT gen_random_uuid(),
    name            text        NOT NULL,
    rule_type       text        NOT NULL,
    configuration   jsonb       NOT NULL DEFAULT '{}'::jsonb,
    enabled         boolean     NOT NULL DEFAULT true,
    priority        integer     NOT NULL DEFAULT 100,
    effective_from  timestamptz NOT NULL DEFAULT now(),
    effective_until timestamptz,
    created_by      uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT governance_rules_pkey PRIMARY KEY (tenant_id, rule_id),
    CONSTRAINT governance_rules_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (tenant_id),
    CONSTRAINT governance_rules_created_by_fkey FOREIGN KEY (tenant_id, created_by)
        REFERENCES users (tenant_id, user_id) ON DELETE SET NULL (created_by),
    CONSTRAINT governance_rules_name_key UNIQUE (tenant_id, name),
    CONSTRAINT governance_rules_name_check CHECK (length(btrim(name)) > 0),
    CONSTRAINT governance_rules_rule_type_check CHECK (
        rule_type IN ('data_retention', 'pii_masking', 'export_restriction', 'access_window', 'row_filter')),
    CONSTRAINT governance_rules_configuration_check CHECK (jsonb_typeof(configuration) = 'object'),
    CONSTRAINT governance_rules_priority_check CHECK (priority BETWEEN 0 AND 1000),
    CONSTRAINT governance_rules_dates_check CHECK (effective_until IS NULL OR effective_until > effective_from)
);

COMMENT ON TABLE governance_rules IS 'Tenant-level data governance rules (retention, masking, export limits)';

CREATE INDEX governance_rules_tenant_type_idx ON governance_rules (tenant_id, rule_type, priority) WHERE enabled;
CREATE INDEX governance_rules_tenant_effective_idx ON governance_rules (tenant_id, effective_from, effective_until);

CREATE TRIGGER governance_rules_set_updated_at
    BEFORE UPDATE ON governance_rules
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
