-- Tenants, the shared updated_at trigger function, and the domains every later table uses.
--
-- Every table carries tenant_id (the primary key of tenants) and, except tenants itself, a primary key
-- of (tenant_id, <id>), so that foreign keys between tenant-owned tables include tenant_id and a row can
-- never point at another tenant's row.

CREATE DOMAIN currency_code AS char(3)
    CHECK (VALUE ~ '^[A-Z]{3}$');

CREATE DOMAIN money_amount AS numeric(14, 2)
    CHECK (VALUE >= 0);

-- The roles a user can hold in a tenant, shared by users and role_metric_visibility.
CREATE DOMAIN tenant_role AS text
    CHECK (VALUE IN ('owner', 'admin', 'analyst', 'marketer', 'fulfillment', 'viewer'));

-- One function behind every table's BEFORE UPDATE trigger.
CREATE FUNCTION set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION set_updated_at() IS 'BEFORE UPDATE trigger function: keeps updated_at current on every table';

CREATE TABLE tenants (
    tenant_id        uuid          NOT NULL DEFAULT gen_random_uuid(),
    slug             text          NOT NULL,
    name             text          NOT NULL,
    plan             text          NOT NULL DEFAULT 'standard',
    status           text          NOT NULL DEFAULT 'active',
    default_currency currency_code NOT NULL DEFAULT 'USD',
    timezone         text          NOT NULL DEFAULT 'UTC',
    created_at       timestamptz   NOT NULL DEFAULT now(),
    updated_at       timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT tenants_pkey PRIMARY KEY (tenant_id),
    CONSTRAINT tenants_slug_key UNIQUE (slug),
    CONSTRAINT tenants_slug_check CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    CONSTRAINT tenants_name_check CHECK (length(btrim(name)) > 0),
    CONSTRAINT tenants_plan_check CHECK (plan IN ('trial', 'standard', 'enterprise')),
    CONSTRAINT tenants_status_check CHECK (status IN ('active', 'suspended', 'closed'))
);

COMMENT ON TABLE tenants IS 'Tenant organisations; tenant_id is the isolation key of every other table';

CREATE INDEX tenants_tenant_id_status_idx ON tenants (tenant_id, status);

CREATE TRIGGER tenants_set_updated_at
    BEFORE UPDATE ON tenants
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
