-- Flexibility's published contract for the periods its flex orders are settled over: every order
-- not cancelled (ordered, activated or settled, whether its request is still open or not), from
-- its offer's first ISP to the end of the last one it settles (those starting before the DSO's
-- early restore, BY_DSO; all of them otherwise). HEMS reads it so that a household held for one
-- order is not held for another over the same time: both would settle on its meter.
CREATE VIEW "flexibility"."flex_order_periods_v" AS
SELECT o.id AS order_id,
       o.organisation_id,
       span.start,
       span.settled_end AS "end"
FROM "flexibility"."flex_orders" o
JOIN "flexibility"."flex_requests" r ON r.id = o.request_id
JOIN LATERAL (
  SELECT min(i.start) AS start,
         max(i.start) FILTER (WHERE r.close_reason IS DISTINCT FROM 'BY_DSO' OR i.start < r.restored_at) + interval '15 minutes' AS settled_end
  FROM "flexibility"."flex_offer_isps" i WHERE i.offer_id = o.offer_id
) span ON span.settled_end IS NOT NULL
WHERE o.status <> 'CANCELLED';
