CREATE TYPE "grid"."transformer_connection" AS ENUM('Dyn');--> statement-breakpoint
CREATE TYPE "grid"."constraint_asset_kind" AS ENUM('TRANSFORMER', 'LINE_SEGMENT', 'BUS', 'FEEDER');--> statement-breakpoint
CREATE TYPE "grid"."constraint_kind" AS ENUM('TRANSFORMER_OVERLOAD', 'LINE_OVERLOAD', 'UNDERVOLTAGE', 'OVERVOLTAGE', 'PHASE_UNBALANCE', 'PLANNED_MAINTENANCE', 'ASSET_FAILURE');--> statement-breakpoint
CREATE TYPE "grid"."constraint_source" AS ENUM('POWER_FLOW', 'OPERATOR');--> statement-breakpoint
CREATE TYPE "grid"."constraint_status" AS ENUM('ACTIVE', 'CLEARED');--> statement-breakpoint
CREATE TYPE "grid"."constraint_unit" AS ENUM('PERCENT', 'PER_UNIT', 'VOLT', 'AMPERE', 'KILOVOLT_AMPERE');--> statement-breakpoint
CREATE TABLE "grid"."buses" (
	"id" text PRIMARY KEY NOT NULL,
	"secondary_substation_id" text NOT NULL,
	"name" text NOT NULL,
	"x" double precision,
	"y" double precision,
	CONSTRAINT "buses_substation_name_key" UNIQUE("secondary_substation_id","name"),
	CONSTRAINT "buses_id_substation_key" UNIQUE("id","secondary_substation_id")
);
--> statement-breakpoint
CREATE TABLE "grid"."line_codes" (
	"name" text PRIMARY KEY NOT NULL,
	"r1_ohm_per_km" double precision NOT NULL,
	"x1_ohm_per_km" double precision NOT NULL,
	"r0_ohm_per_km" double precision NOT NULL,
	"x0_ohm_per_km" double precision NOT NULL,
	"ampacity_a" double precision,
	"source" text NOT NULL,
	CONSTRAINT "line_codes_impedances" CHECK ("grid"."line_codes"."r1_ohm_per_km" >= 0 AND "grid"."line_codes"."x1_ohm_per_km" >= 0 AND "grid"."line_codes"."r0_ohm_per_km" >= 0 AND "grid"."line_codes"."x0_ohm_per_km" >= 0 AND ("grid"."line_codes"."ampacity_a" IS NULL OR "grid"."line_codes"."ampacity_a" > 0))
);
--> statement-breakpoint
CREATE TABLE "grid"."line_segments" (
	"id" text PRIMARY KEY NOT NULL,
	"secondary_substation_id" text NOT NULL,
	"feeder_id" text NOT NULL,
	"name" text NOT NULL,
	"from_bus_id" text NOT NULL,
	"to_bus_id" text NOT NULL,
	"length_m" double precision NOT NULL,
	"line_code" text NOT NULL,
	CONSTRAINT "line_segments_substation_name_key" UNIQUE("secondary_substation_id","name"),
	CONSTRAINT "line_segments_to_bus_key" UNIQUE("to_bus_id"),
	CONSTRAINT "line_segments_length" CHECK ("grid"."line_segments"."length_m" > 0),
	CONSTRAINT "line_segments_distinct_buses" CHECK ("grid"."line_segments"."from_bus_id" <> "grid"."line_segments"."to_bus_id")
);
--> statement-breakpoint
CREATE TABLE "grid"."constraints" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" "grid"."constraint_kind" NOT NULL,
	"source" "grid"."constraint_source" NOT NULL,
	"status" "grid"."constraint_status" DEFAULT 'ACTIVE' NOT NULL,
	"secondary_substation_id" text NOT NULL,
	"feeder_id" text,
	"asset_kind" "grid"."constraint_asset_kind" NOT NULL,
	"asset_id" text NOT NULL,
	"start" timestamp with time zone NOT NULL,
	"end" timestamp with time zone NOT NULL,
	"limit" double precision NOT NULL,
	"value" double precision NOT NULL,
	"unit" "grid"."constraint_unit" NOT NULL,
	"description" text NOT NULL,
	"power_flow_run_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cleared_at" timestamp with time zone,
	CONSTRAINT "constraints_window_check" CHECK ("grid"."constraints"."end" > "grid"."constraints"."start"),
	CONSTRAINT "constraints_cleared_check" CHECK (("grid"."constraints"."status" = 'CLEARED') = ("grid"."constraints"."cleared_at" IS NOT NULL)),
	CONSTRAINT "constraints_run_check" CHECK (("grid"."constraints"."source" = 'POWER_FLOW') = ("grid"."constraints"."power_flow_run_id" IS NOT NULL))
);
--> statement-breakpoint
ALTER TABLE "grid"."connections" ADD COLUMN "bus_id" text;--> statement-breakpoint
ALTER TABLE "grid"."secondary_substations" ADD COLUMN "transformer_primary_kv" double precision;--> statement-breakpoint
ALTER TABLE "grid"."secondary_substations" ADD COLUMN "transformer_secondary_kv" double precision;--> statement-breakpoint
ALTER TABLE "grid"."secondary_substations" ADD COLUMN "transformer_connection" "grid"."transformer_connection";--> statement-breakpoint
ALTER TABLE "grid"."secondary_substations" ADD COLUMN "transformer_resistance_percent" double precision;--> statement-breakpoint
ALTER TABLE "grid"."secondary_substations" ADD COLUMN "transformer_reactance_percent" double precision;--> statement-breakpoint
ALTER TABLE "grid"."secondary_substations" ADD COLUMN "source_voltage_kv" double precision;--> statement-breakpoint
ALTER TABLE "grid"."secondary_substations" ADD COLUMN "source_voltage_pu" double precision;--> statement-breakpoint
ALTER TABLE "grid"."secondary_substations" ADD COLUMN "source_isc3_a" double precision;--> statement-breakpoint
ALTER TABLE "grid"."secondary_substations" ADD COLUMN "source_isc1_a" double precision;--> statement-breakpoint
ALTER TABLE "grid"."secondary_substations" ADD COLUMN "source_x1_r1" double precision;--> statement-breakpoint
ALTER TABLE "grid"."secondary_substations" ADD COLUMN "source_x0_r0" double precision;--> statement-breakpoint
ALTER TABLE "grid"."secondary_substations" ADD COLUMN "lv_bus_id" text;--> statement-breakpoint
ALTER TABLE "grid"."feeders" ADD CONSTRAINT "feeders_id_substation_key" UNIQUE("id","secondary_substation_id");--> statement-breakpoint
ALTER TABLE "grid"."buses" ADD CONSTRAINT "buses_secondary_substation_id_secondary_substations_id_fk" FOREIGN KEY ("secondary_substation_id") REFERENCES "grid"."secondary_substations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grid"."line_segments" ADD CONSTRAINT "line_segments_line_code_line_codes_name_fk" FOREIGN KEY ("line_code") REFERENCES "grid"."line_codes"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grid"."line_segments" ADD CONSTRAINT "line_segments_feeder_fk" FOREIGN KEY ("feeder_id","secondary_substation_id") REFERENCES "grid"."feeders"("id","secondary_substation_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grid"."line_segments" ADD CONSTRAINT "line_segments_from_bus_fk" FOREIGN KEY ("from_bus_id","secondary_substation_id") REFERENCES "grid"."buses"("id","secondary_substation_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grid"."line_segments" ADD CONSTRAINT "line_segments_to_bus_fk" FOREIGN KEY ("to_bus_id","secondary_substation_id") REFERENCES "grid"."buses"("id","secondary_substation_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grid"."constraints" ADD CONSTRAINT "constraints_secondary_substation_id_secondary_substations_id_fk" FOREIGN KEY ("secondary_substation_id") REFERENCES "grid"."secondary_substations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grid"."constraints" ADD CONSTRAINT "constraints_feeder_id_feeders_id_fk" FOREIGN KEY ("feeder_id") REFERENCES "grid"."feeders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "line_segments_feeder_idx" ON "grid"."line_segments" USING btree ("feeder_id","id");--> statement-breakpoint
CREATE INDEX "constraints_substation_start_idx" ON "grid"."constraints" USING btree ("secondary_substation_id","start");--> statement-breakpoint
CREATE INDEX "constraints_start_idx" ON "grid"."constraints" USING btree ("start");--> statement-breakpoint
CREATE INDEX "constraints_run_idx" ON "grid"."constraints" USING btree ("power_flow_run_id");--> statement-breakpoint
ALTER TABLE "grid"."connections" ADD CONSTRAINT "connections_bus_id_buses_id_fk" FOREIGN KEY ("bus_id") REFERENCES "grid"."buses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grid"."secondary_substations" ADD CONSTRAINT "secondary_substations_model_complete" CHECK (num_nulls("grid"."secondary_substations"."transformer_primary_kv", "grid"."secondary_substations"."transformer_secondary_kv", "grid"."secondary_substations"."transformer_connection", "grid"."secondary_substations"."transformer_resistance_percent",
        "grid"."secondary_substations"."transformer_reactance_percent", "grid"."secondary_substations"."source_voltage_kv", "grid"."secondary_substations"."source_voltage_pu", "grid"."secondary_substations"."source_isc3_a", "grid"."secondary_substations"."source_isc1_a", "grid"."secondary_substations"."source_x1_r1",
        "grid"."secondary_substations"."source_x0_r0", "grid"."secondary_substations"."lv_bus_id") IN (0, 12));--> statement-breakpoint
ALTER TABLE "grid"."secondary_substations" ADD CONSTRAINT "secondary_substations_model_values" CHECK ("grid"."secondary_substations"."transformer_primary_kv" > "grid"."secondary_substations"."transformer_secondary_kv" AND "grid"."secondary_substations"."transformer_secondary_kv" > 0
        AND "grid"."secondary_substations"."transformer_resistance_percent" >= 0 AND "grid"."secondary_substations"."transformer_reactance_percent" >= 0
        AND "grid"."secondary_substations"."source_voltage_kv" > 0 AND "grid"."secondary_substations"."source_voltage_pu" > 0 AND "grid"."secondary_substations"."source_isc3_a" > 0 AND "grid"."secondary_substations"."source_isc1_a" > 0
        AND "grid"."secondary_substations"."source_x1_r1" >= 0 AND "grid"."secondary_substations"."source_x0_r0" >= 0);