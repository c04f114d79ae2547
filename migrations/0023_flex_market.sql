CREATE TYPE "flexibility"."congestion_point_kind" AS ENUM('FEEDER', 'SECONDARY_SUBSTATION');--> statement-breakpoint
CREATE TYPE "flexibility"."flex_offer_status" AS ENUM('OPEN', 'REVOKED', 'SUPERSEDED', 'ORDERED', 'EXPIRED');--> statement-breakpoint
CREATE TYPE "flexibility"."flex_order_status" AS ENUM('ORDERED', 'ACTIVATED', 'SETTLED', 'CANCELLED');--> statement-breakpoint
CREATE TYPE "flexibility"."flex_request_close_reason" AS ENUM('BY_DSO', 'PERIOD_ENDED');--> statement-breakpoint
CREATE TYPE "flexibility"."flex_request_status" AS ENUM('OPEN', 'CLOSED');--> statement-breakpoint
CREATE TABLE "flexibility"."flex_activations" (
	"order_id" text NOT NULL,
	"hems_id" text NOT NULL,
	"start" timestamp with time zone NOT NULL,
	"kw" double precision NOT NULL,
	"reported_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "flex_activations_order_id_hems_id_start_pk" PRIMARY KEY("order_id","hems_id","start"),
	CONSTRAINT "flex_activations_kw" CHECK ("flexibility"."flex_activations"."kw" >= 0)
);
--> statement-breakpoint
CREATE TABLE "flexibility"."flex_offer_isps" (
	"offer_id" text NOT NULL,
	"start" timestamp with time zone NOT NULL,
	"kw" double precision NOT NULL,
	CONSTRAINT "flex_offer_isps_offer_id_start_pk" PRIMARY KEY("offer_id","start"),
	CONSTRAINT "flex_offer_isps_kw" CHECK ("flexibility"."flex_offer_isps"."kw" > 0)
);
--> statement-breakpoint
CREATE TABLE "flexibility"."flex_offers" (
	"id" text PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"request_revision" integer NOT NULL,
	"organisation_id" text NOT NULL,
	"status" "flexibility"."flex_offer_status" NOT NULL,
	"price_eur_per_kwh" double precision NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"idempotency_key" text NOT NULL,
	"content_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "flex_offers_idempotency" UNIQUE("organisation_id","idempotency_key"),
	CONSTRAINT "flex_offers_price" CHECK ("flexibility"."flex_offers"."price_eur_per_kwh" >= 0),
	CONSTRAINT "flex_offers_not_expired_stored" CHECK ("flexibility"."flex_offers"."status" <> 'EXPIRED')
);
--> statement-breakpoint
CREATE TABLE "flexibility"."flex_orders" (
	"id" text PRIMARY KEY NOT NULL,
	"offer_id" text NOT NULL,
	"request_id" text NOT NULL,
	"organisation_id" text NOT NULL,
	"status" "flexibility"."flex_order_status" NOT NULL,
	"activation_factor" double precision NOT NULL,
	"ordered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activated_at" timestamp with time zone,
	"settled_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	CONSTRAINT "flex_orders_offer_id_unique" UNIQUE("offer_id"),
	CONSTRAINT "flex_orders_factor" CHECK ("flexibility"."flex_orders"."activation_factor" > 0 AND "flexibility"."flex_orders"."activation_factor" <= 1)
);
--> statement-breakpoint
CREATE TABLE "flexibility"."flex_request_isps" (
	"request_id" text NOT NULL,
	"start" timestamp with time zone NOT NULL,
	"min_kw" double precision NOT NULL,
	"max_kw" double precision NOT NULL,
	CONSTRAINT "flex_request_isps_request_id_start_pk" PRIMARY KEY("request_id","start"),
	CONSTRAINT "flex_request_isps_kw" CHECK ("flexibility"."flex_request_isps"."min_kw" > 0 AND "flexibility"."flex_request_isps"."max_kw" >= "flexibility"."flex_request_isps"."min_kw")
);
--> statement-breakpoint
CREATE TABLE "flexibility"."flex_request_recipients" (
	"request_id" text NOT NULL,
	"organisation_id" text NOT NULL,
	CONSTRAINT "flex_request_recipients_request_id_organisation_id_pk" PRIMARY KEY("request_id","organisation_id")
);
--> statement-breakpoint
CREATE TABLE "flexibility"."flex_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"congestion_point_kind" "flexibility"."congestion_point_kind" NOT NULL,
	"congestion_point_id" text NOT NULL,
	"secondary_substation_id" text NOT NULL,
	"need_id" text,
	"status" "flexibility"."flex_request_status" NOT NULL,
	"revision" integer DEFAULT 1 NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revised_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"close_reason" "flexibility"."flex_request_close_reason",
	"restored_at" timestamp with time zone,
	CONSTRAINT "flex_requests_period" CHECK ("flexibility"."flex_requests"."period_end" > "flexibility"."flex_requests"."period_start"),
	CONSTRAINT "flex_requests_closed" CHECK (("flexibility"."flex_requests"."status" = 'CLOSED') = ("flexibility"."flex_requests"."closed_at" IS NOT NULL AND "flexibility"."flex_requests"."close_reason" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "flexibility"."flex_settlement_isps" (
	"order_id" text NOT NULL,
	"start" timestamp with time zone NOT NULL,
	"baseline_kw" double precision NOT NULL,
	"ordered_kw" double precision NOT NULL,
	"actual_kw" double precision NOT NULL,
	"delivered_kw" double precision NOT NULL,
	"deficiency_kw" double precision NOT NULL,
	CONSTRAINT "flex_settlement_isps_order_id_start_pk" PRIMARY KEY("order_id","start")
);
--> statement-breakpoint
CREATE TABLE "flexibility"."flex_settlements" (
	"order_id" text PRIMARY KEY NOT NULL,
	"baseline_days" date[] NOT NULL,
	"metering_point_ids" text[] NOT NULL,
	"amount_micro_eur" bigint NOT NULL,
	"settled_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "flexibility"."flex_activations" ADD CONSTRAINT "flex_activations_order_id_flex_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "flexibility"."flex_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flexibility"."flex_offer_isps" ADD CONSTRAINT "flex_offer_isps_offer_id_flex_offers_id_fk" FOREIGN KEY ("offer_id") REFERENCES "flexibility"."flex_offers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flexibility"."flex_offers" ADD CONSTRAINT "flex_offers_request_id_flex_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "flexibility"."flex_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flexibility"."flex_orders" ADD CONSTRAINT "flex_orders_offer_id_flex_offers_id_fk" FOREIGN KEY ("offer_id") REFERENCES "flexibility"."flex_offers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flexibility"."flex_orders" ADD CONSTRAINT "flex_orders_request_id_flex_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "flexibility"."flex_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flexibility"."flex_request_isps" ADD CONSTRAINT "flex_request_isps_request_id_flex_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "flexibility"."flex_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flexibility"."flex_request_recipients" ADD CONSTRAINT "flex_request_recipients_request_id_flex_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "flexibility"."flex_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flexibility"."flex_settlement_isps" ADD CONSTRAINT "flex_settlement_isps_order_id_flex_settlements_order_id_fk" FOREIGN KEY ("order_id") REFERENCES "flexibility"."flex_settlements"("order_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flexibility"."flex_settlements" ADD CONSTRAINT "flex_settlements_order_id_flex_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "flexibility"."flex_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "flex_offers_request_idx" ON "flexibility"."flex_offers" USING btree ("request_id","organisation_id");--> statement-breakpoint
CREATE INDEX "flex_orders_request_idx" ON "flexibility"."flex_orders" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "flex_orders_org_idx" ON "flexibility"."flex_orders" USING btree ("organisation_id","ordered_at","id");--> statement-breakpoint
CREATE INDEX "flex_orders_ordered_idx" ON "flexibility"."flex_orders" USING btree ("ordered_at","id");--> statement-breakpoint
CREATE INDEX "flex_request_recipients_org_idx" ON "flexibility"."flex_request_recipients" USING btree ("organisation_id","request_id");--> statement-breakpoint
CREATE INDEX "flex_requests_period_idx" ON "flexibility"."flex_requests" USING btree ("status","period_end");--> statement-breakpoint
CREATE INDEX "flex_requests_created_idx" ON "flexibility"."flex_requests" USING btree ("created_at","id");