-- Device telemetry, partitioned by UTC day: 14,000 HEMS of 8 devices once a minute are 160
-- million rows a day, so a day is the unit that is created, read and, one day, dropped whole.
-- No foreign key, so a batch is one insert (or COPY) per partition; the subgraph checks every
-- device against hems.devices first. (at, device_id) is unique, so a report sent again is kept
-- once; time leads, so each minute's rows go to the right edge of the index, not all over it.
CREATE TABLE "hems"."telemetry" (
	"hems_id" text NOT NULL,
	"device_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"state" "hems"."device_state" NOT NULL,
	"power_kw" double precision NOT NULL,
	"received_at" timestamp with time zone NOT NULL DEFAULT now(),
	CONSTRAINT "telemetry_pk" PRIMARY KEY ("at", "device_id"),
	CONSTRAINT "telemetry_power_non_negative" CHECK ("power_kw" >= 0)
) PARTITION BY RANGE ("at");
--> statement-breakpoint
-- Creates the daily partitions covering [from_ts, to_ts); returns how many it created. Serialised
-- by an advisory lock of its own (not metering's: a batch must not wait behind a readings ingest)
-- so concurrent reports of a new day do not race on the same name.
CREATE FUNCTION "hems"."ensure_telemetry_partitions"(from_ts timestamptz, to_ts timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	day_start timestamptz := date_trunc('day', from_ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
	created integer := 0;
	partition_name text;
BEGIN
	PERFORM pg_advisory_xact_lock(7302030);
	WHILE day_start < to_ts LOOP
		partition_name := 'telemetry_' || to_char(day_start AT TIME ZONE 'UTC', 'YYYY_MM_DD');
		IF to_regclass('hems.' || partition_name) IS NULL THEN
			EXECUTE format(
				'CREATE TABLE hems.%I PARTITION OF hems.telemetry FOR VALUES FROM (%L) TO (%L)',
				partition_name, day_start, (day_start AT TIME ZONE 'UTC' + interval '1 day') AT TIME ZONE 'UTC');
			created := created + 1;
		END IF;
		day_start := (day_start AT TIME ZONE 'UTC' + interval '1 day') AT TIME ZONE 'UTC';
	END LOOP;
	RETURN created;
END $$;
--> statement-breakpoint
-- Telemetry is a record of what devices did: nobody, the hub included, rewrites it.
CREATE FUNCTION "hems"."refuse_telemetry_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'hems.telemetry is append-only';
END $$;
--> statement-breakpoint
CREATE TRIGGER "telemetry_append_only" BEFORE UPDATE OR DELETE ON "hems"."telemetry"
	FOR EACH ROW EXECUTE FUNCTION "hems"."refuse_telemetry_change"();
--> statement-breakpoint
-- The HEMS subgraph's published contract: which HEMS exist and behind which metering point, so
-- that the gateway can bind a HEMS's own key to it without reading hems' tables.
CREATE VIEW "hems"."systems_v" AS
SELECT id AS hems_id, metering_point_id FROM "hems"."systems";
--> statement-breakpoint
-- Every report rewrites its devices' and its HEMS's present state: room on each page lets those
-- updates stay on the page (HOT), touching no index.
ALTER TABLE "hems"."devices" SET (fillfactor = 50);
--> statement-breakpoint
ALTER TABLE "hems"."systems" SET (fillfactor = 50);
