import { boolean, index, pgSchema, real, text, timestamp } from 'drizzle-orm/pg-core';

/** Home energy management systems at customers, and the devices they control. */
export const hems = pgSchema('hems');

export const hemsSystems = hems.table('systems', {
  id: text('id').primaryKey(),
  meteringPointId: text('metering_point_id').notNull().unique(),
  vendor: text('vendor').notNull(),
  installedAt: timestamp('installed_at', { withTimezone: true }).notNull(),
});

export const devices = hems.table(
  'devices',
  {
    id: text('id').primaryKey(),
    hemsId: text('hems_id')
      .notNull()
      .references(() => hemsSystems.id),
    /** HEAT_PUMP, WATER_HEATER, EV_CHARGER, BATTERY, PV_INVERTER or APPLIANCE. */
    kind: text('kind').notNull(),
    ratedPowerKw: real('rated_power_kw').notNull(),
    flexible: boolean('flexible').notNull(),
  },
  (t) => [index('devices_hems_idx').on(t.hemsId)],
);
