ALTER TABLE "grid"."constraints" DROP CONSTRAINT "constraints_feeder_id_feeders_id_fk";
--> statement-breakpoint
ALTER TABLE "grid"."constraints" ADD CONSTRAINT "constraints_feeder_fk" FOREIGN KEY ("feeder_id","secondary_substation_id") REFERENCES "grid"."feeders"("id","secondary_substation_id") ON DELETE no action ON UPDATE no action;