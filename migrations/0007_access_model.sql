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
-- Scopes became the access model. Before, a key's role gave its rights and stored scopes were
-- only extra gates: 'aggregates:read' let a stakeholder (any role but DSO and retailer) read
-- demand, 'events:read' let one of a role other than DSO, retailer and aggregator receive
-- unaddressed market events. Now a key has exactly its stored scopes, within its role's ceiling.
-- So every existing key gets its role's default set as of this migration (schema/access.ts
-- ROLE_SCOPES, spelled out here because that list will change) minus the gates it did not pass:
-- metering:aggregate without 'aggregates:read', events:read without 'events:read', for the roles
-- that needed them. No customer key existed before this migration.
UPDATE "hub"."api_keys" AS k
SET "scopes" = array_remove(
	array_remove(
		r.defaults,
		CASE WHEN r.aggregate_gated AND NOT ('aggregates:read' = ANY (k."scopes")) THEN 'metering:aggregate' END
	),
	CASE WHEN r.events_gated AND NOT ('events:read' = ANY (k."scopes")) THEN 'events:read' END
)
FROM (VALUES
	('dso', ARRAY['metering:read', 'metering:aggregate', 'metering:write', 'grid:read', 'grid:operate', 'tariffs:read', 'tariffs:write', 'flex:read', 'flex:operate', 'hems:read', 'events:read', 'audit:read', 'consent:manage'], false, false),
	('retailer', ARRAY['metering:read', 'metering:aggregate', 'tariffs:read', 'flex:read', 'flex:trade', 'hems:read', 'hems:control', 'events:read'], false, false),
	('aggregator', ARRAY['metering:read', 'metering:aggregate', 'flex:read', 'flex:trade', 'hems:read', 'hems:control', 'events:read'], true, false),
	('regulator', ARRAY['metering:aggregate', 'tariffs:read', 'flex:read', 'events:read'], true, true),
	('tso', ARRAY['metering:aggregate', 'grid:read', 'flex:read', 'events:read'], true, true),
	('researcher', ARRAY['metering:read', 'metering:aggregate', 'tariffs:read', 'flex:read', 'hems:read', 'events:read'], true, true),
	('developer', ARRAY['metering:aggregate', 'tariffs:read', 'flex:read', 'events:read'], true, true)
) AS r("role", defaults, aggregate_gated, events_gated)
WHERE k."role" = r."role";
