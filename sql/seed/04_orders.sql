-- Eighty orders per sample tenant over the second quarter of 2025, a third of them attributed to a campaign.
INSERT INTO orders (tenant_id, order_id, order_number, customer_ref, status, sales_channel, currency, subtotal_amount,
                    discount_amount, tax_amount, shipping_amount, total_amount, item_count, campaign_id, ordered_at,
                    cancelled_at)
SELECT tenant_id, order_id, order_number, customer_ref, status, sales_channel, currency, subtotal,
       discount, tax, shipping, subtotal - discount + tax + shipping, item_count, campaign_id, ordered_at,
       CASE WHEN status = 'cancelled' THEN ordered_at + interval '2 hours' END
FROM (
    SELECT t.tenant_id,
           md5('shoppulse-seed:order:' || t.slug || ':' || n)::uuid AS order_id,
           'SP-' || upper(left(t.slug, 3)) || '-' || lpad(n::text, 5, '0') AS order_number,
           'cust-' || lpad(((n * 7) % 45 + 1)::text, 4, '0') AS customer_ref,
           (ARRAY['fulfilled', 'fulfilled', 'fulfilled', 'paid', 'paid', 'pending', 'cancelled', 'refunded'])[n % 8 + 1] AS status,
           (ARRAY['web', 'web', 'mobile', 'marketplace', 'pos'])[n % 5 + 1] AS sales_channel,
           t.default_currency AS currency,
           (19.99 + (n * 37) % 380)::numeric(14, 2) AS subtotal,
           CASE WHEN n % 5 = 0 THEN 5.00 ELSE 0 END AS discount,
           round((19.99 + (n * 37) % 380) * 0.08, 2) AS tax,
           CASE WHEN 19.99 + (n * 37) % 380 >= 100 THEN 0 ELSE 7.50 END AS shipping,
           1 + n % 4 AS item_count,
           CASE WHEN n % 3 = 0 THEN md5('shoppulse-seed:campaign:' || t.slug || ':' || (n % 4 + 1))::uuid END AS campaign_id,
           timestamptz '2025-04-01 08:00:00+00' + n * interval '27 hours' AS ordered_at
    FROM tenants AS t
    CROSS JOIN generate_series(1, 80) AS n
    WHERE t.slug IN ('northwind-outfitters', 'bluebird-home', 'cedar-coffee')
) AS seed
ON CONFLICT DO NOTHING
