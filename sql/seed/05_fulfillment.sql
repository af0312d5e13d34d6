-- One shipment for every paid, fulfilled or refunded sample order, with carrier, tracking and times.
INSERT INTO fulfillment (tenant_id, fulfillment_id, order_id, status, warehouse_code, carrier, tracking_number,
                         shipping_cost, shipped_at, delivered_at)
SELECT o.tenant_id,
       md5('shoppulse-seed:fulfillment:' || o.order_id)::uuid,
       o.order_id,
       CASE o.status WHEN 'fulfilled' THEN 'delivered' WHEN 'refunded' THEN 'returned' ELSE 'packed' END,
       'WH-' || (ARRAY['EAST', 'WEST', 'CENTRAL'])[abs(hashtext(o.order_number)) % 3 + 1],
       CASE WHEN o.status <> 'paid' THEN (ARRAY['ups', 'fedex', 'dhl'])[abs(hashtext(o.order_number)) % 3 + 1] END,
       CASE WHEN o.status <> 'paid' THEN 'TRK' || upper(left(md5(o.order_number), 14)) END,
       CASE WHEN o.status <> 'paid' THEN 6.25 END,
       CASE WHEN o.status <> 'paid' THEN o.ordered_at + interval '20 hours' END,
       CASE WHEN o.status = 'fulfilled' THEN o.ordered_at + interval '3 days 4 hours' END
FROM orders AS o
JOIN tenants AS t ON t.tenant_id = o.tenant_id
WHERE t.slug IN ('northwind-outfitters', 'bluebird-home', 'cedar-coffee')
  AND o.order_id = md5('shoppulse-seed:order:' || t.slug || ':' || ltrim(split_part(o.order_number, '-', 3), '0'))::uuid
  AND o.status IN ('paid', 'fulfilled', 'refunded')
ON CONFLICT DO NOTHING
