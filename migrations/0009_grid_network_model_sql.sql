-- A secondary substation's LV bus is one of its own buses. The foreign key is checked at commit,
-- not per statement: a substation and its buses refer to each other and are written together in
-- one transaction (the seed, grid:import). drizzle cannot declare a deferrable key, hence here.
ALTER TABLE "grid"."secondary_substations"
  ADD CONSTRAINT "secondary_substations_lv_bus_fk" FOREIGN KEY ("lv_bus_id", "id")
  REFERENCES "grid"."buses" ("id", "secondary_substation_id")
  DEFERRABLE INITIALLY DEFERRED;
