CREATE SCHEMA "hub";
--> statement-breakpoint
CREATE SCHEMA "metering";
--> statement-breakpoint
CREATE SCHEMA "grid";
--> statement-breakpoint
CREATE SCHEMA "tariffs";
--> statement-breakpoint
CREATE SCHEMA "flexibility";
--> statement-breakpoint
CREATE SCHEMA "hems";
--> statement-breakpoint
CREATE TABLE "hub"."api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"organisation_id" text NOT NULL,
	"role" text NOT NULL,
	"scopes" text[] DEFAULT '{}' NOT NULL,
	"digest" text NOT NULL,
	"display_prefix" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "api_keys_digest_unique" UNIQUE("digest")
);
--> statement-breakpoint
CREATE TABLE "hub"."organisations" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "metering"."metering_points" (
	"id" text PRIMARY KEY NOT NULL,
	"customer_class" text NOT NULL,
	"usage" text NOT NULL,
	"contracted_power_kva" real NOT NULL,
	"pv_capacity_kwp" real DEFAULT 0 NOT NULL,
	"annual_consumption_kwh" real NOT NULL,
	"retailer_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "metering"."supply_contracts" (
	"metering_point_id" text NOT NULL,
	"retailer_id" text NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_to" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "grid"."connections" (
	"metering_point_id" text PRIMARY KEY NOT NULL,
	"feeder_id" text NOT NULL,
	"phase" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "grid"."ev_charging_stations" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"metering_point_id" text NOT NULL,
	"max_power_kw" real NOT NULL,
	CONSTRAINT "ev_charging_stations_metering_point_id_unique" UNIQUE("metering_point_id")
);
--> statement-breakpoint
CREATE TABLE "grid"."feeders" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"secondary_substation_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "grid"."primary_substations" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "grid"."secondary_substations" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"primary_substation_id" text NOT NULL,
	"rated_power_kva" real NOT NULL,
	"latitude" real NOT NULL,
	"longitude" real NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tariffs"."tariff_assignments" (
	"metering_point_id" text PRIMARY KEY NOT NULL,
	"tariff_plan_id" text NOT NULL,
	"since" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tariffs"."tariff_plans" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"cycle" text,
	"energy_price_eur_per_kwh_by_period" text NOT NULL,
	"power_price_eur_per_kva_day" real NOT NULL
);
--> statement-breakpoint
CREATE TABLE "flexibility"."flex_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"secondary_substation_id" text NOT NULL,
	"direction" text NOT NULL,
	"power_kw" real NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"window_end" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hems"."devices" (
	"id" text PRIMARY KEY NOT NULL,
	"hems_id" text NOT NULL,
	"kind" text NOT NULL,
	"rated_power_kw" real NOT NULL,
	"flexible" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hems"."systems" (
	"id" text PRIMARY KEY NOT NULL,
	"metering_point_id" text NOT NULL,
	"vendor" text NOT NULL,
	"installed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "systems_metering_point_id_unique" UNIQUE("metering_point_id")
);
--> statement-breakpoint
ALTER TABLE "metering"."supply_contracts" ADD CONSTRAINT "supply_contracts_metering_point_id_metering_points_id_fk" FOREIGN KEY ("metering_point_id") REFERENCES "metering"."metering_points"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grid"."connections" ADD CONSTRAINT "connections_feeder_id_feeders_id_fk" FOREIGN KEY ("feeder_id") REFERENCES "grid"."feeders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grid"."feeders" ADD CONSTRAINT "feeders_secondary_substation_id_secondary_substations_id_fk" FOREIGN KEY ("secondary_substation_id") REFERENCES "grid"."secondary_substations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grid"."secondary_substations" ADD CONSTRAINT "secondary_substations_primary_substation_id_primary_substations_id_fk" FOREIGN KEY ("primary_substation_id") REFERENCES "grid"."primary_substations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tariffs"."tariff_assignments" ADD CONSTRAINT "tariff_assignments_tariff_plan_id_tariff_plans_id_fk" FOREIGN KEY ("tariff_plan_id") REFERENCES "tariffs"."tariff_plans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hems"."devices" ADD CONSTRAINT "devices_hems_id_systems_id_fk" FOREIGN KEY ("hems_id") REFERENCES "hems"."systems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_organisation_idx" ON "hub"."api_keys" USING btree ("organisation_id");--> statement-breakpoint
CREATE INDEX "metering_points_retailer_idx" ON "metering"."metering_points" USING btree ("retailer_id","id");--> statement-breakpoint
CREATE INDEX "supply_contracts_point_idx" ON "metering"."supply_contracts" USING btree ("metering_point_id","valid_from");--> statement-breakpoint
CREATE INDEX "supply_contracts_retailer_idx" ON "metering"."supply_contracts" USING btree ("retailer_id");--> statement-breakpoint
CREATE INDEX "connections_feeder_idx" ON "grid"."connections" USING btree ("feeder_id");--> statement-breakpoint
CREATE INDEX "feeders_secondary_idx" ON "grid"."feeders" USING btree ("secondary_substation_id");--> statement-breakpoint
CREATE INDEX "secondary_substations_primary_idx" ON "grid"."secondary_substations" USING btree ("primary_substation_id");--> statement-breakpoint
CREATE INDEX "flex_requests_window_idx" ON "flexibility"."flex_requests" USING btree ("window_start","id");--> statement-breakpoint
CREATE INDEX "devices_hems_idx" ON "hems"."devices" USING btree ("hems_id");