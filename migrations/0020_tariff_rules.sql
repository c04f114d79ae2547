-- A published scheme version is immutable, so every bill computed on it can be computed again:
-- its row and its prices refuse updates and deletes (publishing a draft is the one change allowed).
-- The hub writes a version's prices in the transaction that creates it.
-- Each table's field is read in its own branch: PL/pgSQL resolves every field of an expression,
-- whichever branch of a CASE runs.
CREATE FUNCTION "tariffs"."refuse_published_change"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	scheme text;
BEGIN
	IF TG_TABLE_NAME = 'schemes' THEN
		IF TG_OP = 'UPDATE' AND OLD.status = 'DRAFT' THEN
			RETURN NEW;
		END IF;
		scheme := OLD.id;
	ELSE
		scheme := OLD.scheme_id;
	END IF;
	IF EXISTS (SELECT 1 FROM tariffs.schemes s WHERE s.id = scheme AND s.status = 'PUBLISHED') THEN
		RAISE EXCEPTION 'tariff scheme % is published: make a new version', scheme USING ERRCODE = 'check_violation';
	END IF;
	RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;--> statement-breakpoint
CREATE TRIGGER "schemes_immutable" BEFORE UPDATE OR DELETE ON "tariffs"."schemes"
	FOR EACH ROW EXECUTE FUNCTION "tariffs"."refuse_published_change"();--> statement-breakpoint
CREATE TRIGGER "scheme_prices_immutable" BEFORE UPDATE OR DELETE ON "tariffs"."scheme_prices"
	FOR EACH ROW EXECUTE FUNCTION "tariffs"."refuse_published_change"();--> statement-breakpoint
-- One scheme at a time per metering point: assignment windows never overlap.
CREATE EXTENSION IF NOT EXISTS btree_gist;--> statement-breakpoint
ALTER TABLE "tariffs"."assignments" ADD CONSTRAINT "assignments_no_overlap"
	EXCLUDE USING gist ("metering_point_id" WITH =, tstzrange("valid_from", "valid_to") WITH &&);
