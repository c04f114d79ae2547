-- Metering's published contract for area totals (tariffs' comparisons, peak hours and KPIs read
-- these, never metering's rollups): exact import per quarter-hour of the network (scope_kind 0,
-- scope_id ''), a primary substation (1), a secondary substation (2), a feeder (3) or a
-- retailer's portfolio (4), and how many points reported for it.
CREATE VIEW "metering"."area_demand_v" AS
SELECT scope_kind, scope_id, interval_start, import_wh, reading_count
FROM "metering"."demand_rollups";
