/**
 * Independent figures for the tariffs e2e tests: plain SQL straight on metering.readings, with
 * ERSE's winter charts written out by hand as CASE expressions on the Lisbon wall-clock minute
 * (PostgreSQL's own time zone rules), never the hub's code. Winter only: the tests' windows are
 * winter days, and the autumn-change day's summer hours (00:00-02:00) are vazio_normal in both.
 */

/** Minutes after local midnight of a reading. */
export const LOCAL_MINUTE = `(extract(hour FROM r.interval_start AT TIME ZONE 'Europe/Lisbon') * 60 + extract(minute FROM r.interval_start AT TIME ZONE 'Europe/Lisbon'))`;

const between = (ranges: [number, number][]) => ranges.map(([a, b]) => `(${LOCAL_MINUTE} >= ${a} AND ${LOCAL_MINUTE} < ${b})`).join(' OR ');
const h = (hour: number, minute = 0) => hour * 60 + minute;

/** The ERSE period of a reading: daily cycle, winter. */
export const DAILY_WINTER = `CASE
  WHEN ${between([[h(9), h(10, 30)], [h(18), h(20, 30)]])} THEN 'ponta'
  WHEN ${between([[h(8), h(9)], [h(10, 30), h(18)], [h(20, 30), h(22)]])} THEN 'cheias'
  WHEN ${between([[h(2), h(6)]])} THEN 'super_vazio'
  ELSE 'vazio_normal' END`;

/** The ERSE period of a reading: weekly cycle, a winter Monday to Friday. */
export const WEEKLY_WINTER_WEEKDAY = `CASE
  WHEN ${between([[h(9, 30), h(12)], [h(18, 30), h(21)]])} THEN 'ponta'
  WHEN ${between([[h(7), h(9, 30)], [h(12), h(18, 30)], [h(21), h(24)]])} THEN 'cheias'
  WHEN ${between([[h(2), h(6)]])} THEN 'super_vazio'
  ELSE 'vazio_normal' END`;

/** Readings `r` of the points `$1::text[]` in [$2, $3). */
export const POINT_READINGS = `metering.readings r JOIN metering.metering_points mp ON mp.key = r.metering_point_key
  WHERE mp.id = ANY($1::text[]) AND r.interval_start >= $2 AND r.interval_start < $3`;

/**
 * What the points `$1::text[]` pay over [$2, $3) on the schemes assigned to each at each reading,
 * energy only, EUR: each reading priced at its scheme's price for its period (exact, the
 * period itself or its two-rate group, or `all`), on winter weekdays.
 */
export const ASSIGNED_ENERGY_EUR = `
  SELECT coalesce(sum(r.import_wh::numeric * coalesce(exact.energy_price_nano_eur_per_kwh, grp.energy_price_nano_eur_per_kwh, flat.energy_price_nano_eur_per_kwh)), 0) / 1e12 AS eur
  FROM metering.readings r
  JOIN metering.metering_points mp ON mp.key = r.metering_point_key
  JOIN tariffs.assignments a ON a.metering_point_id = mp.id AND a.valid_from <= r.interval_start AND (a.valid_to IS NULL OR a.valid_to > r.interval_start)
  JOIN tariffs.schemes s ON s.id = a.scheme_id
  CROSS JOIN LATERAL (SELECT CASE s.cycle WHEN 'DAILY' THEN ${DAILY_WINTER} ELSE ${WEEKLY_WINTER_WEEKDAY} END AS period) p
  LEFT JOIN tariffs.scheme_prices exact ON exact.scheme_id = s.id AND exact.period::text = p.period
  LEFT JOIN tariffs.scheme_prices grp ON grp.scheme_id = s.id AND grp.period::text = CASE WHEN p.period IN ('ponta', 'cheias') THEN 'fora_vazio' ELSE 'vazio' END
  LEFT JOIN tariffs.scheme_prices flat ON flat.scheme_id = s.id AND flat.period = 'all'
  WHERE mp.id = ANY($1::text[]) AND r.interval_start >= $2 AND r.interval_start < $3`;

/** The points `$1::text[]`'s contracted power on the schemes assigned at each of the local midnights `$2::timestamptz[]`, EUR. */
export const ASSIGNED_POWER_EUR = `
  SELECT coalesce(sum(round(mp.contracted_power_kva * 100) * s.power_price_nano_eur_per_kva_day), 0) / 1e11 AS eur
  FROM metering.metering_points mp
  CROSS JOIN unnest($2::timestamptz[]) AS d(at)
  JOIN tariffs.assignments a ON a.metering_point_id = mp.id AND a.valid_from <= d.at AND (a.valid_to IS NULL OR a.valid_to > d.at)
  JOIN tariffs.schemes s ON s.id = a.scheme_id
  WHERE mp.id = ANY($1::text[])`;

/** Points of a secondary substation, from grid's tables. */
export const SUBSTATION_POINTS = `SELECT c.metering_point_id AS id FROM grid.connections c JOIN grid.feeders f ON f.id = c.feeder_id WHERE f.secondary_substation_id = $1 ORDER BY 1`;
