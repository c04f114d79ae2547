CREATE TYPE "hub"."consent_scope" AS ENUM('metering:read', 'tariffs:read', 'hems:read');--> statement-breakpoint
CREATE TABLE "hub"."audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"key_id" text NOT NULL,
	"organisation_id" text NOT NULL,
	"role" text NOT NULL,
	"request_id" text NOT NULL,
	"operation" text NOT NULL,
	"target" text NOT NULL,
	"detail" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hub"."consents" (
	"id" text PRIMARY KEY NOT NULL,
	"metering_point_id" text NOT NULL,
	"organisation_id" text NOT NULL,
	"scopes" "hub"."consent_scope"[] NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_to" timestamp with time zone NOT NULL,
	"granted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"granted_by_key_id" text NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_by_key_id" text
);
--> statement-breakpoint
ALTER TABLE "hub"."access_log" ADD COLUMN "role" text;--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "hub"."audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_log_organisation_idx" ON "hub"."audit_log" USING btree ("organisation_id","at");--> statement-breakpoint
CREATE INDEX "consents_point_idx" ON "hub"."consents" USING btree ("metering_point_id");--> statement-breakpoint
CREATE INDEX "consents_organisation_idx" ON "hub"."consents" USING btree ("organisation_id","metering_point_id");--> statement-breakpoint
CREATE INDEX "access_log_at_idx" ON "hub"."access_log" USING btree ("at");--> statement-breakpoint
-- One guard for every append-only table, naming the table it protects.
CREATE OR REPLACE FUNCTION "hub"."refuse_access_log_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '%.% is append-only', TG_TABLE_SCHEMA, TG_TABLE_NAME;
END $$;
--> statement-breakpoint
-- Mutations are evidence like reads: nobody, the hub included, may change or remove a line.
CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "hub"."audit_log"
	FOR EACH ROW EXECUTE FUNCTION "hub"."refuse_access_log_change"();
--> statement-breakpoint
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "hub"."audit_log"
	FOR EACH STATEMENT EXECUTE FUNCTION "hub"."refuse_access_log_change"();
--> statement-breakpoint
-- Metering's published contract of who supplies (and supplied) what, when: every subgraph checks
-- a retailer's right to a metering point's fields against it, never against metering's tables.
CREATE VIEW "metering"."supply_contracts_v" AS
SELECT metering_point_id,
       retailer_id,
       valid_from,
       valid_to
FROM "metering"."supply_contracts";
--> statement-breakpoint
-- Scopes became the access model. DSO and retailer keys created without scopes had their role's
-- full rights; they keep them as the role's default set (schema/access.ts, as of this migration).
UPDATE "hub"."api_keys" SET "scopes" = ARRAY['metering:read', 'metering:aggregate', 'metering:write', 'grid:read', 'grid:operate', 'tariffs:read', 'tariffs:write', 'flex:read', 'flex:operate', 'hems:read', 'events:read', 'audit:read', 'consent:manage']
WHERE "role" = 'dso' AND "scopes" = '{}';
--> statement-breakpoint
UPDATE "hub"."api_keys" SET "scopes" = ARRAY['metering:read', 'metering:aggregate', 'tariffs:read', 'flex:read', 'flex:trade', 'hems:read', 'hems:control', 'events:read']
WHERE "role" = 'retailer' AND "scopes" = '{}';
