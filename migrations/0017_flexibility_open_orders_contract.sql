-- Flexibility's published contract for the orders in force: the metering points each open order
-- covers, with the retailer it was addressed to. HEMS reads it to show the DSO a household's HEMS
-- only while an order is active behind it, and to check that a command names an order that
-- concerns its HEMS. Contracted-power orders are open while ISSUED (ACTIVE once started).
CREATE VIEW "flexibility"."open_order_points_v" AS
SELECT o.id AS order_id,
       'CONTRACTED_POWER_ORDER'::text AS reason,
       p.metering_point_id,
       p.retailer_id,
       o.start,
       o.expected_end
FROM "flexibility"."contracted_power_orders" o
JOIN "flexibility"."contracted_power_order_points" p ON p.order_id = o.id
WHERE o.status = 'ISSUED';
