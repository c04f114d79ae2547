-- Flexibility's contract for open orders (0017) now covers the market's orders too: a flex order
-- is open while ORDERED or ACTIVATED and its request OPEN (the close job closes it when its last
-- ISP ends), and covers every metering point behind its congestion point, for the organisation
-- whose offer was ordered, from its offer's first ISP to the end of its last (what was bought,
-- not the request's whole period). HEMS checks a FLEX_ORDER command against it as it does a
-- contracted-power order's.
CREATE OR REPLACE VIEW "flexibility"."open_order_points_v" AS
SELECT o.id AS order_id,
       'CONTRACTED_POWER_ORDER'::text AS reason,
       p.metering_point_id,
       p.retailer_id,
       o.start,
       o.expected_end
FROM "flexibility"."contracted_power_orders" o
JOIN "flexibility"."contracted_power_order_points" p ON p.order_id = o.id
WHERE o.status = 'ISSUED'
UNION ALL
SELECT o.id,
       'FLEX_ORDER'::text,
       c.metering_point_id,
       o.organisation_id,
       span.start,
       span.expected_end
FROM "flexibility"."flex_orders" o
JOIN "flexibility"."flex_requests" r ON r.id = o.request_id
JOIN LATERAL (
  SELECT min(i.start) AS start, max(i.start) + interval '15 minutes' AS expected_end
  FROM "flexibility"."flex_offer_isps" i WHERE i.offer_id = o.offer_id
) span ON true
JOIN "grid"."metering_point_connections_v" c
  ON (r.congestion_point_kind = 'FEEDER' AND c.feeder_id = r.congestion_point_id)
  OR (r.congestion_point_kind = 'SECONDARY_SUBSTATION' AND c.secondary_substation_id = r.congestion_point_id)
WHERE o.status IN ('ORDERED', 'ACTIVATED') AND r.status = 'OPEN';
--> statement-breakpoint
-- Grid's published contract for flexibility needs (a power-flow run's reduction per congestion
-- point and interval): flexibility fills a request's ISPs from one, never reading grid's tables.
CREATE VIEW "grid"."flexibility_needs_v" AS
SELECT n.id AS need_id,
       n.run_id,
       n.congestion_point_kind::text AS congestion_point_kind,
       n.congestion_point_id,
       n.secondary_substation_id,
       i.interval_start,
       i.reduction_kw
FROM "grid"."flexibility_needs" n
JOIN "grid"."flexibility_need_intervals" i ON i.need_id = n.id;
--> statement-breakpoint
-- HEMS's published contract for the market: the commands sent for flex orders, with the HEMS's
-- metering point and whether the command holds the household for its order (a SHIFT or CURTAIL
-- the HEMS did not refuse and that did not go unanswered; a RESTORE holds nothing). Flexibility
-- reads it to know an order's HEMS (whose reports it takes and whose points it settles), never
-- HEMS's tables; HEMS reads it too, so that a household is held for one order at a time.
CREATE VIEW "hems"."flex_order_commands_v" AS
SELECT c.id AS command_id,
       c.order_id,
       c.hems_id,
       h.metering_point_id,
       c.issuer_id,
       c.kind::text AS kind,
       c.status::text AS status,
       c.start,
       c."end",
       c.issued_at,
       (c.kind IN ('SHIFT', 'CURTAIL') AND c.status NOT IN ('REJECTED', 'EXPIRED')) AS holds
FROM "hems"."commands" c
JOIN "hems"."systems" h ON h.id = c.hems_id
WHERE c.reason = 'FLEX_ORDER';
