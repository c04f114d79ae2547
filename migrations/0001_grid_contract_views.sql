-- The grid's published contract: where each metering point is connected. Other domains read
-- this view, never grid's tables, so grid can reshape its model without breaking them.
CREATE VIEW "grid"."metering_point_connections_v" AS
SELECT c.metering_point_id,
       c.phase,
       c.feeder_id,
       f.secondary_substation_id,
       s.primary_substation_id
FROM "grid"."connections" c
JOIN "grid"."feeders" f ON f.id = c.feeder_id
JOIN "grid"."secondary_substations" s ON s.id = f.secondary_substation_id;
--> statement-breakpoint
-- Which secondary substations exist, and under which primary: for domains that address areas.
CREATE VIEW "grid"."substations_v" AS
SELECT s.id AS secondary_substation_id,
       s.primary_substation_id
FROM "grid"."secondary_substations" s;
