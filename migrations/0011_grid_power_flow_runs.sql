CREATE TYPE "grid"."congestion_point_kind" AS ENUM('FEEDER', 'SECONDARY_SUBSTATION');--> statement-breakpoint
CREATE TYPE "grid"."power_flow_source" AS ENUM('MEASURED', 'FORECAST');--> statement-breakpoint
CREATE TABLE "grid"."flexibility_need_intervals" (
	"need_id" text NOT NULL,
	"interval_start" timestamp with time zone NOT NULL,
	"reduction_kw" double precision NOT NULL,
	CONSTRAINT "flexibility_need_intervals_need_id_interval_start_pk" PRIMARY KEY("need_id","interval_start"),
	CONSTRAINT "flexibility_need_intervals_positive_check" CHECK ("grid"."flexibility_need_intervals"."reduction_kw" > 0)
);
--> statement-breakpoint
CREATE TABLE "grid"."flexibility_needs" (
	"id" text PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"secondary_substation_id" text NOT NULL,
	"congestion_point_kind" "grid"."congestion_point_kind" NOT NULL,
	"congestion_point_id" text NOT NULL,
	"feeder_id" text,
	CONSTRAINT "flexibility_needs_point_check" CHECK (("grid"."flexibility_needs"."congestion_point_kind" = 'FEEDER') = ("grid"."flexibility_needs"."feeder_id" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "grid"."power_flow_bus_results" (
	"run_id" text NOT NULL,
	"secondary_substation_id" text NOT NULL,
	"bus_id" text NOT NULL,
	"feeder_id" text,
	"min_voltage_a" real NOT NULL,
	"min_voltage_b" real NOT NULL,
	"min_voltage_c" real NOT NULL,
	"max_voltage_a" real NOT NULL,
	"max_voltage_b" real NOT NULL,
	"max_voltage_c" real NOT NULL,
	CONSTRAINT "power_flow_bus_results_run_id_bus_id_pk" PRIMARY KEY("run_id","bus_id")
);
--> statement-breakpoint
CREATE TABLE "grid"."power_flow_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"source" "grid"."power_flow_source" NOT NULL,
	"start" timestamp with time zone NOT NULL,
	"end" timestamp with time zone NOT NULL,
	"intervals" integer NOT NULL,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "power_flow_runs_window_check" CHECK ("grid"."power_flow_runs"."end" > "grid"."power_flow_runs"."start")
);
--> statement-breakpoint
CREATE TABLE "grid"."power_flow_segment_results" (
	"run_id" text NOT NULL,
	"secondary_substation_id" text NOT NULL,
	"segment_id" text NOT NULL,
	"feeder_id" text,
	"max_current_a" real NOT NULL,
	"max_current_b" real NOT NULL,
	"max_current_c" real NOT NULL,
	"max_loading_percent" real,
	CONSTRAINT "power_flow_segment_results_run_id_segment_id_pk" PRIMARY KEY("run_id","segment_id")
);
--> statement-breakpoint
CREATE TABLE "grid"."power_flow_substation_results" (
	"run_id" text NOT NULL,
	"secondary_substation_id" text NOT NULL,
	"min_voltage_pu_a" double precision NOT NULL,
	"min_voltage_pu_b" double precision NOT NULL,
	"min_voltage_pu_c" double precision NOT NULL,
	"max_voltage_pu_a" double precision NOT NULL,
	"max_voltage_pu_b" double precision NOT NULL,
	"max_voltage_pu_c" double precision NOT NULL,
	"max_line_loading_percent" double precision NOT NULL,
	"max_transformer_loading_percent" double precision NOT NULL,
	"losses_kwh" double precision NOT NULL,
	"iterations" integer NOT NULL,
	"missing_readings" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "power_flow_substation_results_run_id_secondary_substation_id_pk" PRIMARY KEY("run_id","secondary_substation_id")
);
--> statement-breakpoint
ALTER TABLE "grid"."flexibility_need_intervals" ADD CONSTRAINT "flexibility_need_intervals_need_id_flexibility_needs_id_fk" FOREIGN KEY ("need_id") REFERENCES "grid"."flexibility_needs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grid"."flexibility_needs" ADD CONSTRAINT "flexibility_needs_run_id_power_flow_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "grid"."power_flow_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grid"."flexibility_needs" ADD CONSTRAINT "flexibility_needs_secondary_substation_id_secondary_substations_id_fk" FOREIGN KEY ("secondary_substation_id") REFERENCES "grid"."secondary_substations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grid"."flexibility_needs" ADD CONSTRAINT "flexibility_needs_feeder_id_feeders_id_fk" FOREIGN KEY ("feeder_id") REFERENCES "grid"."feeders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grid"."power_flow_bus_results" ADD CONSTRAINT "power_flow_bus_results_run_id_power_flow_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "grid"."power_flow_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grid"."power_flow_segment_results" ADD CONSTRAINT "power_flow_segment_results_run_id_power_flow_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "grid"."power_flow_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grid"."power_flow_substation_results" ADD CONSTRAINT "power_flow_substation_results_run_id_power_flow_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "grid"."power_flow_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grid"."power_flow_substation_results" ADD CONSTRAINT "power_flow_substation_results_secondary_substation_id_secondary_substations_id_fk" FOREIGN KEY ("secondary_substation_id") REFERENCES "grid"."secondary_substations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "flexibility_needs_run_idx" ON "grid"."flexibility_needs" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "power_flow_substation_results_latest_idx" ON "grid"."power_flow_substation_results" USING btree ("secondary_substation_id","created_at");