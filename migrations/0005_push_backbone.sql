CREATE TABLE "hub"."outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"audience" text[] NOT NULL,
	"payload" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "flexibility"."contracted_power_order_acks" (
	"order_id" text NOT NULL,
	"organisation_id" text NOT NULL,
	"acknowledged_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contracted_power_order_acks_order_id_organisation_id_pk" PRIMARY KEY("order_id","organisation_id")
);
--> statement-breakpoint
CREATE TABLE "flexibility"."contracted_power_order_points" (
	"order_id" text NOT NULL,
	"metering_point_id" text NOT NULL,
	"retailer_id" text NOT NULL,
	"contracted_power_kva" real NOT NULL,
	"temporary_max_power_kw" real NOT NULL,
	CONSTRAINT "contracted_power_order_points_order_id_metering_point_id_pk" PRIMARY KEY("order_id","metering_point_id")
);
--> statement-breakpoint
CREATE TABLE "flexibility"."contracted_power_orders" (
	"id" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"reduction_percent" real NOT NULL,
	"start" timestamp with time zone NOT NULL,
	"expected_end" timestamp with time zone NOT NULL,
	"reason" text NOT NULL,
	"area" jsonb NOT NULL,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"restored_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "flexibility"."contracted_power_order_acks" ADD CONSTRAINT "contracted_power_order_acks_order_id_contracted_power_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "flexibility"."contracted_power_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flexibility"."contracted_power_order_points" ADD CONSTRAINT "contracted_power_order_points_order_id_contracted_power_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "flexibility"."contracted_power_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cpo_points_retailer_idx" ON "flexibility"."contracted_power_order_points" USING btree ("order_id","retailer_id");