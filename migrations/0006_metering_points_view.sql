-- Metering's published contract: other domains (flexibility's contracted-power orders) read who
-- supplies each metering point and its contracted power here, never metering's tables.
CREATE VIEW "metering"."metering_points_v" AS
SELECT id AS metering_point_id,
       retailer_id,
       contracted_power_kva
FROM "metering"."metering_points";
--> statement-breakpoint
-- Readings by CPE code, for domains that verify delivered flexibility (order compliance).
CREATE VIEW "metering"."readings_v" AS
SELECT mp.id AS metering_point_id,
       r.interval_start,
       r.import_wh,
       r.export_wh
FROM "metering"."readings" r
JOIN "metering"."metering_points" mp ON mp.key = r.metering_point_key;
