import { pgSchema, real, text, timestamp } from 'drizzle-orm/pg-core';

/** Access and energy tariffs, and which tariff each metering point is on. */
export const tariffs = pgSchema('tariffs');

export const tariffPlans = tariffs.table('tariff_plans', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** SIMPLE, BI_HOURLY or TRI_HOURLY (ERSE time-of-use options for BTN). */
  kind: text('kind').notNull(),
  /** DAILY or WEEKLY ERSE cycle; null for SIMPLE. */
  cycle: text('cycle'),
  /** Energy price per period, EUR/kWh, keyed by ERSE period name. */
  energyPriceEurPerKwhByPeriod: text('energy_price_eur_per_kwh_by_period').notNull(),
  powerPriceEurPerKvaDay: real('power_price_eur_per_kva_day').notNull(),
});

export const tariffAssignments = tariffs.table('tariff_assignments', {
  meteringPointId: text('metering_point_id').primaryKey(),
  tariffPlanId: text('tariff_plan_id')
    .notNull()
    .references(() => tariffPlans.id),
  since: timestamp('since', { withTimezone: true }).notNull(),
});
