-- The audit trail: who (actor) did what (action) to which target, with details.

CREATE TABLE audit_logs (
    tenant_id     uuid        NOT NULL,
    audit_id      uuid        NOT NULL DEFAULT gen_random_uuid(),
    actor_type    text        NOT NULL,
    actor_user_id uuid,
    actor_label   text        NOT NULL,
    action        text        NOT NULL,
    target_type   text        NOT NULL,
    target_id     text,
    details       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    ip_address    inet,
    occurred_at   timestamptz NOT NULL DEFAULT now(),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT audit_logs_pkey PRIMARY KEY (tenant_id, audit_id),
    CONSTRAINT audit_logs_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (tenant_id),
    -- The trail outlives the user: actor_label keeps who it was once the user row is gone.
    CONSTRAINT audit_logs_actor_fkey FOREIGN KEY (tenant_id, actor_user_id)
        REFERENCES users (tenant_id, user_id) ON DELETE SET NULL (actor_user_id),
    CONSTRAINT audit_logs_actor_type_check CHECK (actor_type IN ('user', 'system', 'api')),
    CONSTRAINT audit_logs_actor_label_check CHECK (length(btrim(actor_label)) > 0),
    CONSTRAINT audit_logs_action_check CHECK (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
    CONSTRAINT audit_logs_target_type_check CHECK (target_type ~ '^[a-z][a-z0-9_]*$'),
    CONSTRAINT audit_logs_details_check CHECK (jsonb_typeof(details) = 'object')
);

COMMENT ON TABLE audit_logs IS 'Audit trail of every operation, per tenant';

CREATE INDEX audit_logs_tenant_occurred_at_idx ON audit_logs (tenant_id, occurred_at DESC);
CREATE INDEX audit_logs_tenant_target_idx ON audit_logs (tenant_id, target_type, target_id);
CREATE INDEX audit_logs_tenant_actor_idx ON audit_logs (tenant_id, actor_user_id, occurred_at DESC)
    WHERE actor_user_id IS NOT NULL;

CREATE TRIGGER audit_logs_set_updated_at
    BEFORE UPDATE ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
