DROP TABLE "tariffs"."tariff_assignments" CASCADE;--> statement-breakpoint
DROP TABLE "tariffs"."tariff_plans" CASCADE;