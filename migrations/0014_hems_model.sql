CREATE TYPE "hems"."device_kind" AS ENUM('EV_CHARGER', 'WATER_HEATER', 'HEAT_PUMP', 'AIR_CONDITIONER', 'WASHING_MACHINE', 'DISHWASHER', 'PV_INVERTER', 'BATTERY', 'OTHER');--> statement-breakpoint
CREATE TYPE "hems"."device_state" AS ENUM('ON', 'OFF', 'STANDBY', 'FAULT');--> statement-breakpoint
CREATE TYPE "hems"."command_kind" AS ENUM('SHIFT', 'CURTAIL', 'RESTORE');--> statement-breakpoint
CREATE TYPE "hems"."command_reason" AS ENUM('FLEX_ORDER', 'CONTRACTED_POWER_ORDER');--> statement-breakpoint
CREATE TYPE "hems"."command_status" AS ENUM('SENT', 'ACKNOWLEDGED', 'EXECUTED', 'REJECTED', 'EXPIRED');--> statement-breakpoint
CREATE TYPE "hems"."protocol" AS ENUM('EEBUS', 'OPENADR', 'MODBUS_TCP', 'MQTT');--> statement-breakpoint
CREATE TABLE "hems"."flexible_loads" (
	"id" text PRIMARY KEY NOT NULL,
	"hems_id" text NOT NULL,
	"device_id" text NOT NULL,
	"earliest_start_minute" smallint NOT NULL,
	"latest_end_minute" smallint NOT NULL,
	"max_shift_minutes" smallint NOT NULL,
	"min_run_minutes" smallint NOT NULL,
	"priority" smallint NOT NULL,
	"opted_out" boolean NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "flexible_loads_device_key" UNIQUE("device_id"),
	CONSTRAINT "flexible_loads_window_minutes" CHECK ("hems"."flexible_loads"."earliest_start_minute" BETWEEN 0 AND 1439 AND "hems"."flexible_loads"."latest_end_minute" BETWEEN 0 AND 1439),
	CONSTRAINT "flexible_loads_durations" CHECK ("hems"."flexible_loads"."max_shift_minutes" BETWEEN 0 AND 1440 AND "hems"."flexible_loads"."min_run_minutes" BETWEEN 0 AND 1440),
	CONSTRAINT "flexible_loads_priority" CHECK ("hems"."flexible_loads"."priority" BETWEEN 1 AND 99)
);
--> statement-breakpoint
CREATE TABLE "hems"."commands" (
	"id" text PRIMARY KEY NOT NULL,
	"hems_id" text NOT NULL,
	"device_id" text,
	"kind" "hems"."command_kind" NOT NULL,
	"target_power_kw" double precision,
	"start" timestamp with time zone NOT NULL,
	"end" timestamp with time zone NOT NULL,
	"reason" "hems"."command_reason" NOT NULL,
	"order_id" text NOT NULL,
	"issuer_id" text NOT NULL,
	"issued_by_key_id" text NOT NULL,
	"status" "hems"."command_status" DEFAULT 'SENT' NOT NULL,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"acknowledged_at" timestamp with time zone,
	"executed_at" timestamp with time zone,
	"rejected_at" timestamp with time zone,
	"expired_at" timestamp with time zone,
	"outcome_detail" text,
	CONSTRAINT "commands_window" CHECK ("hems"."commands"."end" > "hems"."commands"."start"),
	CONSTRAINT "commands_target_power" CHECK (("hems"."commands"."kind" = 'CURTAIL') = ("hems"."commands"."target_power_kw" IS NOT NULL) AND ("hems"."commands"."target_power_kw" IS NULL OR "hems"."commands"."target_power_kw" >= 0))
);
--> statement-breakpoint
-- Kinds of the first model that the new vocabulary names otherwise.
UPDATE "hems"."devices" SET "kind" = 'OTHER' WHERE "kind" NOT IN ('EV_CHARGER', 'WATER_HEATER', 'HEAT_PUMP', 'AIR_CONDITIONER', 'WASHING_MACHINE', 'DISHWASHER', 'PV_INVERTER', 'BATTERY', 'OTHER');--> statement-breakpoint
ALTER TABLE "hems"."devices" ALTER COLUMN "kind" SET DATA TYPE "hems"."device_kind" USING "kind"::"hems"."device_kind";--> statement-breakpoint
ALTER TABLE "hems"."devices" ALTER COLUMN "rated_power_kw" SET DATA TYPE double precision;--> statement-breakpoint
ALTER TABLE "hems"."devices" ADD COLUMN "controllable" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "hems"."devices" ADD COLUMN "state" "hems"."device_state";--> statement-breakpoint
ALTER TABLE "hems"."devices" ADD COLUMN "power_kw" double precision;--> statement-breakpoint
ALTER TABLE "hems"."devices" ADD COLUMN "state_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "hems"."systems" ADD COLUMN "protocol" "hems"."protocol" DEFAULT 'MQTT' NOT NULL;--> statement-breakpoint
ALTER TABLE "hems"."systems" ADD COLUMN "online" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "hems"."systems" ADD COLUMN "last_seen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "hems"."systems" ADD COLUMN "last_report_key_id" text;--> statement-breakpoint
ALTER TABLE "hems"."flexible_loads" ADD CONSTRAINT "flexible_loads_hems_id_systems_id_fk" FOREIGN KEY ("hems_id") REFERENCES "hems"."systems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hems"."flexible_loads" ADD CONSTRAINT "flexible_loads_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "hems"."devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hems"."commands" ADD CONSTRAINT "commands_hems_id_systems_id_fk" FOREIGN KEY ("hems_id") REFERENCES "hems"."systems"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hems"."commands" ADD CONSTRAINT "commands_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "hems"."devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "flexible_loads_hems_idx" ON "hems"."flexible_loads" USING btree ("hems_id");--> statement-breakpoint
CREATE INDEX "commands_hems_idx" ON "hems"."commands" USING btree ("hems_id","start");--> statement-breakpoint
CREATE INDEX "commands_issuer_idx" ON "hems"."commands" USING btree ("issuer_id","issued_at");--> statement-breakpoint
CREATE INDEX "commands_open_idx" ON "hems"."commands" USING btree ("expires_at") WHERE "hems"."commands"."status" = 'SENT';--> statement-breakpoint
ALTER TABLE "hems"."devices" ADD CONSTRAINT "devices_rated_power_positive" CHECK ("hems"."devices"."rated_power_kw" > 0);--> statement-breakpoint
ALTER TABLE "hems"."devices" ADD CONSTRAINT "devices_power_in_rating" CHECK ("hems"."devices"."power_kw" IS NULL OR ("hems"."devices"."power_kw" >= 0 AND "hems"."devices"."power_kw" <= "hems"."devices"."rated_power_kw"));