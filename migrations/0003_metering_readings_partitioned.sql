-- 15-minute readings, partitioned by calendar month (UTC). Keyed by the compact metering point
-- key; no foreign key, so a backfill of years of data is one COPY per partition.
CREATE TABLE "metering"."readings" (
	"metering_point_key" integer NOT NULL,
	"interval_start" timestamp with time zone NOT NULL,
	"import_wh" integer NOT NULL,
	"export_wh" integer NOT NULL,
	"quality" smallint NOT NULL,
	"revision" smallint NOT NULL DEFAULT 0,
	CONSTRAINT "readings_pk" PRIMARY KEY ("metering_point_key", "interval_start"),
	CONSTRAINT "readings_energy_non_negative" CHECK ("import_wh" >= 0 AND "export_wh" >= 0),
	CONSTRAINT "readings_aligned" CHECK (extract(epoch FROM "interval_start")::bigint % 900 = 0)
) PARTITION BY RANGE ("interval_start");
--> statement-breakpoint
-- Creates the monthly partitions covering [from_ts, to_ts); returns how many it created. Serialised
-- by an advisory lock so concurrent ingests of a new month do not race on the same name.
CREATE FUNCTION "metering"."ensure_reading_partitions"(from_ts timestamptz, to_ts timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	month_start timestamptz := date_trunc('month', from_ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
	created integer := 0;
	partition_name text;
BEGIN
	PERFORM pg_advisory_xact_lock(7302027);
	WHILE month_start < to_ts LOOP
		partition_name := 'readings_' || to_char(month_start AT TIME ZONE 'UTC', 'YYYY_MM');
		IF to_regclass('metering.' || partition_name) IS NULL THEN
			EXECUTE format(
				'CREATE TABLE metering.%I PARTITION OF metering.readings FOR VALUES FROM (%L) TO (%L)',
				partition_name, month_start, (month_start AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC');
			created := created + 1;
		END IF;
		month_start := (month_start AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC';
	END LOOP;
	RETURN created;
END $$;
--> statement-breakpoint
CREATE INDEX "meter_events_time_idx" ON "metering"."meter_events" ("metering_point_key", "occurred_at");
--> statement-breakpoint
-- The access log is evidence: nobody, the hub included, may change or remove a line.
CREATE FUNCTION "hub"."refuse_access_log_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'hub.access_log is append-only';
END $$;
--> statement-breakpoint
CREATE TRIGGER "access_log_append_only" BEFORE UPDATE OR DELETE ON "hub"."access_log"
	FOR EACH ROW EXECUTE FUNCTION "hub"."refuse_access_log_change"();
--> statement-breakpoint
CREATE TRIGGER "access_log_no_truncate" BEFORE TRUNCATE ON "hub"."access_log"
	FOR EACH STATEMENT EXECUTE FUNCTION "hub"."refuse_access_log_change"();
