-- Users of a tenant, identified by their Cognito user pool subject (sub).

CREATE TABLE users (
    tenant_id     uuid        NOT NULL,
    user_id       uuid        NOT NULL DEFAULT gen_random_uuid(),
    cognito_sub   uuid        NOT NULL,
    email         text        NOT NULL,
    display_name  text,
    role          tenant_role NOT NULL DEFAULT 'viewer',
    status        text        NOT NULL DEFAULT 'invited',
    last_login_at timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_pkey PRIMARY KEY (tenant_id, user_id),
    CONSTRAINT users_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (tenant_id),
    -- A Cognito sub names one person in the user pool, so it belongs to one user row across all tenants.
    CONSTRAINT users_cognito_sub_key UNIQUE (cognito_sub),
    CONSTRAINT users_email_check CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
    CONSTRAINT users_display_name_check CHECK (display_name IS NULL OR length(btrim(display_name)) > 0),
    CONSTRAINT users_status_check CHECK (status IN ('invited', 'active', 'disabled')),
    CONSTRAINT users_last_login_check CHECK (last_login_at IS NULL OR status <> 'invited')
);

COMMENT ON TABLE users IS 'Users of a tenant, linked to Cognito by cognito_sub';

-- One account per e-mail address in a tenant, whatever its case.
CREATE UNIQUE INDEX users_tenant_email_key ON users (tenant_id, lower(email));
CREATE INDEX users_tenant_role_idx ON users (tenant_id, role) WHERE status = 'active';
CREATE INDEX users_tenant_last_login_idx ON users (tenant_id, last_login_at);

CREATE TRIGGER users_set_updated_at
    BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
