CREATE TYPE "tariffs"."pilot_party" AS ENUM('CUSTOMER', 'RETAILER');--> statement-breakpoint
CREATE TYPE "tariffs"."priced_period" AS ENUM('all', 'vazio', 'fora_vazio', 'ponta', 'cheias', 'vazio_normal', 'super_vazio', 'critical_peak');--> statement-breakpoint
CREATE TYPE "tariffs"."scheme_status" AS ENUM('DRAFT', 'PUBLISHED');--> statement-breakpoint
CREATE TYPE "tariffs"."tariff_cycle" AS ENUM('DAILY', 'WEEKLY');--> statement-breakpoint
CREATE TYPE "tariffs"."tariff_kind" AS ENUM('FLAT', 'TIME_OF_USE', 'CRITICAL_PEAK');--> statement-breakpoint
CREATE TABLE "tariffs"."critical_peak_events" (
	"id" text PRIMARY KEY NOT NULL,
	"scheme_id" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"announced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "critical_peak_events_window" CHECK ("tariffs"."critical_peak_events"."ends_at" > "tariffs"."critical_peak_events"."starts_at")
);
--> statement-breakpoint
CREATE TABLE "tariffs"."pilot_enrolments" (
	"id" text PRIMARY KEY NOT NULL,
	"metering_point_id" text NOT NULL,
	"scheme_id" text NOT NULL,
	"retailer_id" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"customer_accepted_at" timestamp with time zone,
	"retailer_accepted_at" timestamp with time zone,
	"ends_at" timestamp with time zone,
	"withdrawn_by" "tariffs"."pilot_party",
	"withdrawn_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pilot_enrolments_window" CHECK ("tariffs"."pilot_enrolments"."ends_at" IS NULL OR "tariffs"."pilot_enrolments"."ends_at" > "tariffs"."pilot_enrolments"."starts_at"),
	CONSTRAINT "pilot_enrolments_withdrawal" CHECK (("tariffs"."pilot_enrolments"."withdrawn_by" IS NULL) = ("tariffs"."pilot_enrolments"."withdrawn_at" IS NULL))
);
--> statement-breakpoint
CREATE TABLE "tariffs"."assignments" (
	"metering_point_id" text NOT NULL,
	"scheme_id" text NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_to" timestamp with time zone,
	CONSTRAINT "assignments_metering_point_id_valid_from_pk" PRIMARY KEY("metering_point_id","valid_from"),
	CONSTRAINT "assignments_window" CHECK ("tariffs"."assignments"."valid_to" IS NULL OR "tariffs"."assignments"."valid_to" > "tariffs"."assignments"."valid_from")
);
--> statement-breakpoint
CREATE TABLE "tariffs"."scheme_prices" (
	"scheme_id" text NOT NULL,
	"period" "tariffs"."priced_period" NOT NULL,
	"energy_price_nano_eur_per_kwh" bigint NOT NULL,
	CONSTRAINT "scheme_prices_scheme_id_period_pk" PRIMARY KEY("scheme_id","period"),
	CONSTRAINT "scheme_prices_not_negative" CHECK ("tariffs"."scheme_prices"."energy_price_nano_eur_per_kwh" >= 0)
);
--> statement-breakpoint
CREATE TABLE "tariffs"."schemes" (
	"id" text PRIMARY KEY NOT NULL,
	"family" text NOT NULL,
	"version" integer NOT NULL,
	"name" text NOT NULL,
	"kind" "tariffs"."tariff_kind" NOT NULL,
	"cycle" "tariffs"."tariff_cycle",
	"status" "tariffs"."scheme_status" NOT NULL,
	"power_price_nano_eur_per_kva_day" bigint NOT NULL,
	"valid_from" date NOT NULL,
	"valid_to" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	CONSTRAINT "schemes_family_version" UNIQUE("family","version"),
	CONSTRAINT "schemes_cycle_unless_flat" CHECK (("tariffs"."schemes"."kind" = 'FLAT') = ("tariffs"."schemes"."cycle" IS NULL)),
	CONSTRAINT "schemes_power_price_not_negative" CHECK ("tariffs"."schemes"."power_price_nano_eur_per_kva_day" >= 0),
	CONSTRAINT "schemes_valid_days" CHECK ("tariffs"."schemes"."valid_to" IS NULL OR "tariffs"."schemes"."valid_to" > "tariffs"."schemes"."valid_from"),
	CONSTRAINT "schemes_published_at" CHECK (("tariffs"."schemes"."status" = 'PUBLISHED') = ("tariffs"."schemes"."published_at" IS NOT NULL))
);
--> statement-breakpoint
ALTER TABLE "tariffs"."critical_peak_events" ADD CONSTRAINT "critical_peak_events_scheme_id_schemes_id_fk" FOREIGN KEY ("scheme_id") REFERENCES "tariffs"."schemes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tariffs"."pilot_enrolments" ADD CONSTRAINT "pilot_enrolments_scheme_id_schemes_id_fk" FOREIGN KEY ("scheme_id") REFERENCES "tariffs"."schemes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tariffs"."assignments" ADD CONSTRAINT "assignments_scheme_id_schemes_id_fk" FOREIGN KEY ("scheme_id") REFERENCES "tariffs"."schemes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tariffs"."scheme_prices" ADD CONSTRAINT "scheme_prices_scheme_id_schemes_id_fk" FOREIGN KEY ("scheme_id") REFERENCES "tariffs"."schemes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "critical_peak_events_scheme_idx" ON "tariffs"."critical_peak_events" USING btree ("scheme_id","starts_at");--> statement-breakpoint
CREATE INDEX "pilot_enrolments_point_idx" ON "tariffs"."pilot_enrolments" USING btree ("metering_point_id");--> statement-breakpoint
CREATE INDEX "assignments_scheme_idx" ON "tariffs"."assignments" USING btree ("scheme_id");--> statement-breakpoint
-- The plans become published version 1 of their schemes; their JSON prices become typed rows in
-- nano-euros, and each point's current plan becomes an open assignment from the day it began.
INSERT INTO "tariffs"."schemes" ("id", "family", "version", "name", "kind", "cycle", "status", "power_price_nano_eur_per_kva_day", "valid_from", "published_at")
SELECT p.id, p.id, 1, p.name,
	(CASE WHEN p.kind = 'SIMPLE' THEN 'FLAT' ELSE 'TIME_OF_USE' END)::"tariffs"."tariff_kind",
	(CASE WHEN p.kind = 'SIMPLE' THEN NULL ELSE p.cycle END)::"tariffs"."tariff_cycle",
	'PUBLISHED', round(p.power_price_eur_per_kva_day::numeric * 1e9)::bigint,
	(SELECT coalesce(min(a.since AT TIME ZONE 'Europe/Lisbon')::date, current_date) FROM "tariffs"."tariff_assignments" a WHERE a.tariff_plan_id = p.id), now()
FROM "tariffs"."tariff_plans" p;--> statement-breakpoint
INSERT INTO "tariffs"."scheme_prices" ("scheme_id", "period", "energy_price_nano_eur_per_kwh")
SELECT p.id, e.key::"tariffs"."priced_period", round(e.value::numeric * 1e9)::bigint
FROM "tariffs"."tariff_plans" p, jsonb_each_text(p.energy_price_eur_per_kwh_by_period::jsonb) e;--> statement-breakpoint
INSERT INTO "tariffs"."assignments" ("metering_point_id", "scheme_id", "valid_from")
SELECT metering_point_id, tariff_plan_id, since FROM "tariffs"."tariff_assignments";
