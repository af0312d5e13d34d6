-- Marketing campaigns: channel, schedule, budget, spend and results.

CREATE TABLE marketing_campaigns (
    tenant_id      uuid          NOT NULL,
    campaign_id    uuid          NOT NULL DEFAULT gen_random_uuid(),
    name           text          NOT NULL,
    channel        text          NOT NULL,
    status         text          NOT NULL DEFAULT 'draft',
    currency       currency_code NOT NULL,
    budget_amount  money_amount  NOT NULL,
    spend_amount   money_amount  NOT NULL DEFAULT 0,
    revenue_amount money_amount  NOT NULL DEFAULT 0,
    impressions    bigint        NOT NULL DEFAULT 0,
    clicks         bigint        NOT NULL DEFAULT 0,
    conversions    bigint        NOT NULL DEFAULT 0,
    starts_at      timestamptz,
    ends_at        timestamptz,
    created_by     uuid,
    created_at     timestamptz   NOT NULL DEFAULT now(),
    updated_at     timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT marketing_campaigns_pkey PRIMARY KEY (tenant_id, campaign_id),
    CONSTRAINT marketing_campaigns_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (tenant_id),
    -- Includes tenant_id: a campaign cannot name another tenant's user. Deleting the user keeps the campaign.
    CONSTRAINT marketing_campaigns_created_by_fkey FOREIGN KEY (tenant_id, created_by)
        REFERENCES users (tenant_id, user_id) ON DELETE SET NULL (created_by),
    CONSTRAINT marketing_campaigns_name_key UNIQUE (tenant_id, name),
    CONSTRAINT marketing_campaigns_name_check CHECK (length(btrim(name)) > 0),
    CONSTRAINT marketing_campaigns_channel_check CHECK (
        channel IN ('email', 'sms', 'push', 'paid_search', 'paid_social', 'organic_social', 'display', 'affiliate')),
    CONSTRAINT marketing_campaigns_status_check CHECK (
        status IN ('draft', 'scheduled', 'active', 'paused', 'completed', 'cancelled')),
    CONSTRAINT marketing_campaigns_counts_check CHECK (impressions >= 0 AND clicks >= 0 AND conversions >= 0),
    CONSTRAINT marketing_campaigns_clicks_check CHECK (clicks <= impressions),
    CONSTRAINT marketing_campaigns_dates_check CHECK (ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at),
    CONSTRAINT marketing_campaigns_scheduled_check CHECK (status IN ('draft', 'cancelled') OR starts_at IS NOT NULL)
);

COMMENT ON TABLE marketing_campaigns IS 'Marketing campaigns per tenant with budget, spend and results';

CREATE INDEX marketing_campaigns_tenant_starts_idx ON marketing_campaigns (tenant_id, starts_at);
CREATE INDEX marketing_campaigns_tenant_channel_starts_idx ON marketing_campaigns (tenant_id, channel, starts_at);
CREATE INDEX marketing_campaigns_tenant_status_idx ON marketing_campaigns (tenant_id, status);

CREATE TRIGGER marketing_campaigns_set_updated_at
    BEFORE UPDATE ON marketing_campaigns
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
