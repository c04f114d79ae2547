-- Which feeders exist and where they hang: for domains that address feeders as areas.
CREATE VIEW "grid"."feeders_v" AS
SELECT f.id AS feeder_id,
       f.secondary_substation_id,
       s.primary_substation_id
FROM "grid"."feeders" f
JOIN "grid"."secondary_substations" s ON s.id = f.secondary_substation_id;
