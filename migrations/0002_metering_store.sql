CREATE TABLE "hub"."access_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"key_id" text NOT NULL,
	"organisation_id" text NOT NULL,
	"request_id" text NOT NULL,
	"metering_point_id" text NOT NULL,
	"resource" text NOT NULL,
	"period_from" timestamp with time zone,
	"period_to" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "metering"."demand_rollups" (
	"scope_kind" smallint NOT NULL,
	"scope_id" text NOT NULL,
	"interval_start" timestamp with time zone NOT NULL,
	"import_wh" bigint NOT NULL,
	"export_wh" bigint NOT NULL,
	"reading_count" integer NOT NULL,
	CONSTRAINT "demand_rollups_scope_kind_scope_id_interval_start_pk" PRIMARY KEY("scope_kind","scope_id","interval_start")
);
--> statement-breakpoint
CREATE TABLE "metering"."ingest_batches" (
	"idempotency_key" text PRIMARY KEY NOT NULL,
	"organisation_id" text NOT NULL,
	"payload_digest" text NOT NULL,
	"result" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "metering"."meter_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"metering_point_key" integer NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"severity" text NOT NULL,
	CONSTRAINT "meter_events_point_time_kind" UNIQUE("metering_point_key","occurred_at","kind")
);
--> statement-breakpoint
CREATE TABLE "metering"."substation_measurements" (
	"secondary_substation_id" text NOT NULL,
	"interval_start" timestamp with time zone NOT NULL,
	"active_power_a_kw" real NOT NULL,
	"active_power_b_kw" real NOT NULL,
	"active_power_c_kw" real NOT NULL,
	"reactive_power_a_kvar" real NOT NULL,
	"reactive_power_b_kvar" real NOT NULL,
	"reactive_power_c_kvar" real NOT NULL,
	"voltage_a_v" real NOT NULL,
	"voltage_b_v" real NOT NULL,
	"voltage_c_v" real NOT NULL,
	CONSTRAINT "substation_measurements_secondary_substation_id_interval_start_pk" PRIMARY KEY("secondary_substation_id","interval_start")
);
--> statement-breakpoint
ALTER TABLE "metering"."metering_points" ADD COLUMN "key" integer NOT NULL;--> statement-breakpoint
CREATE INDEX "access_log_point_idx" ON "hub"."access_log" USING btree ("metering_point_id","at");--> statement-breakpoint
ALTER TABLE "metering"."metering_points" ADD CONSTRAINT "metering_points_key_unique" UNIQUE("key");