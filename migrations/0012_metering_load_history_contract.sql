-- Metering's published contract for load forecasts (grid's forecasts and power-flow runs read
-- these, never metering's tables): what kind of load each point is, and its readings.
CREATE VIEW "metering"."metering_point_load_classes_v" AS
SELECT id AS metering_point_id,
       customer_class,
       usage,
       annual_consumption_kwh,
       pv_capacity_kwp
FROM "metering"."metering_points";
--> statement-breakpoint
-- One point's readings over [from_ts, to_ts). A function, not a view over a join: the readings
-- are keyed by the point's compact key, and only a key known before the scan lets PostgreSQL use
-- the readings' index (joined on the CPE code, a substation's three weeks scanned the whole
-- month's partition: 3 s, against 45 ms by key). Plain SQL, so it is inlined into the caller's
-- query, per point of a LATERAL join.
CREATE FUNCTION "metering"."point_readings"(point_id text, from_ts timestamptz, to_ts timestamptz)
RETURNS TABLE (interval_start timestamptz, import_wh integer, export_wh integer)
LANGUAGE sql STABLE AS $$
	SELECT r.interval_start, r.import_wh, r.export_wh
	FROM metering.readings r
	WHERE r.metering_point_key = (SELECT p.key FROM metering.metering_points p WHERE p.id = point_id)
		AND r.interval_start >= from_ts AND r.interval_start < to_ts
$$;
