-- Orders (amounts, currency, status, campaign attribution) and their fulfillment (carrier, tracking,
-- shipped and delivered times).

CREATE TABLE orders (
    tenant_id       uuid          NOT NULL,
    order_id        uuid          NOT NULL DEFAULT gen_random_uuid(),
    order_number    text          NOT NULL,
    customer_ref    text          NOT NULL,
    status          text          NOT NULL DEFAULT 'pending',
    sales_channel   text          NOT NULL DEFAULT 'web',
    currency        currency_code NOT NULL,
    subtotal_amount money_amount  NOT NULL,
    discount_amount money_amount  NOT NULL DEFAULT 0,
    tax_amount      money_amount  NOT NULL DEFAULT 0,
    shipping_amount money_amount  NOT NULL DEFAULT 0,
    total_amount    money_amount  NOT NULL,
    item_count      integer       NOT NULL,
    campaign_id     uuid,
    ordered_at      timestamptz   NOT NULL,
    cancelled_at    timestamptz,
    created_at      timestamptz   NOT NULL DEFAULT now(),
    updated_at      timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT orders_pkey PRIMARY KEY (tenant_id, order_id),
    CONSTRAINT orders_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (tenant_id),
    -- Attribution stays inside the tenant; deleting a campaign keeps its orders.
    CONSTRAINT orders_campaign_fkey FOREIGN KEY (tenant_id, campaign_id)
        REFERENCES marketing_campaigns (tenant_id, campaign_id) ON DELETE SET NULL (campaign_id),
    CONSTRAINT orders_order_number_key UNIQUE (tenant_id, order_number),
    CONSTRAINT orders_order_number_check CHECK (length(btrim(order_number)) > 0),
    CONSTRAINT orders_customer_ref_check CHECK (length(btrim(customer_ref)) > 0),
    CONSTRAINT orders_status_check CHECK (status IN ('pending', 'paid', 'fulfilled', 'cancelled', 'refunded')),
    CONSTRAINT orders_sales_channel_check CHECK (sales_channel IN ('web', 'mobile', 'marketplace', 'pos')),
    CONSTRAINT orders_item_count_check CHECK (item_count > 0),
    CONSTRAINT orders_discount_check CHECK (discount_amount <= subtotal_amount),
    CONSTRAINT orders_total_check CHECK (total_amount = subtotal_amount - discount_amount + tax_amount + shipping_amount),
    CONSTRAINT orders_cancelled_check CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
    CONSTRAINT orders_cancelled_after_ordered CHECK (cancelled_at IS NULL OR cancelled_at >= ordered_at)
);

COMMENT ON TABLE orders IS 'E-commerce orders per tenant';

CREATE INDEX orders_tenant_ordered_at_idx ON orders (tenant_id, ordered_at DESC);
CREATE INDEX orders_tenant_status_ordered_at_idx ON orders (tenant_id, status, ordered_at DESC);
CREATE INDEX orders_tenant_campaign_idx ON orders (tenant_id, campaign_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX orders_tenant_customer_idx ON orders (tenant_id, customer_ref);

CREATE TRIGGER orders_set_updated_at
    BEFORE UPDATE ON orders
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE fulfillment (
    tenant_id       uuid         NOT NULL,
    fulfillment_id  uuid         NOT NULL DEFAULT gen_random_uuid(),
    order_id        uuid         NOT NULL,
    status          text         NOT NULL DEFAULT 'pending',
    warehouse_code  text,
    carrier         text,
    tracking_number text,
    shipping_cost   money_amount,
    shipped_at      timestamptz,
    delivered_at    timestamptz,
    created_at      timestamptz  NOT NULL DEFAULT now(),
    updated_at      timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT fulfillment_pkey PRIMARY KEY (tenant_id, fulfillment_id),
    -- Includes tenant_id: a shipment can only fulfil an order of its own tenant.
    CONSTRAINT fulfillment_order_fkey FOREIGN KEY (tenant_id, order_id)
        REFERENCES orders (tenant_id, order_id) ON DELETE CASCADE,
    -- A carrier's tracking number identifies one shipment.
    CONSTRAINT fulfillment_tracking_key UNIQUE (tenant_id, carrier, tracking_number),
    CONSTRAINT fulfillment_status_check CHECK (
        status IN ('pending', 'packed', 'shipped', 'in_transit', 'delivered', 'returned', 'failed')),
    CONSTRAINT fulfillment_tracking_check CHECK (tracking_number IS NULL OR carrier IS NOT NULL),
    CONSTRAINT fulfillment_shipped_check CHECK (
        status NOT IN ('shipped', 'in_transit', 'delivered', 'returned') OR (shipped_at IS NOT NULL AND carrier IS NOT NULL)),
    CONSTRAINT fulfillment_delivered_check CHECK (status <> 'delivered' OR delivered_at IS NOT NULL),
    CONSTRAINT fulfillment_delivered_after_shipped CHECK (
        delivered_at IS NULL OR (shipped_at IS NOT NULL AND delivered_at >= shipped_at))
);

COMMENT ON TABLE fulfillment IS 'Shipments of orders: carrier, tracking, shipped and delivered times';

CREATE INDEX fulfillment_tenant_order_idx ON fulfillment (tenant_id, order_id);
CREATE INDEX fulfillment_tenant_shipped_at_idx ON fulfillment (tenant_id, shipped_at DESC);
CREATE INDEX fulfillment_tenant_status_idx ON fulfillment (tenant_id, status);

CREATE TRIGGER fulfillment_set_updated_at
    BEFORE UPDATE ON fulfillment
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
