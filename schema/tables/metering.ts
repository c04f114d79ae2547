import { index, pgSchema, real, text, timestamp } from 'drizzle-orm/pg-core';

/** What the InovGrid infrastructure measures, and who supplies each metering point. */
export const metering = pgSchema('metering');

export const meteringPoints = metering.table(
  'metering_points',
  {
    /** CPE (código de ponto de entrega), the Portuguese metering point code. */
    id: text('id').primaryKey(),
    /** BTN_A, BTN_B or BTN_C: the E-REDES standard profile class. */
    customerClass: text('customer_class').notNull(),
    /** RESIDENTIAL, COMMERCIAL, EV_CHARGING or PUBLIC_LIGHTING. */
    usage: text('usage').notNull(),
    contractedPowerKva: real('contracted_power_kva').notNull(),
    pvCapacityKwp: real('pv_capacity_kwp').notNull().default(0),
    annualConsumptionKwh: real('annual_consumption_kwh').notNull(),
    /** The current supplier; its history is in supply_contracts. */
    retailerId: text('retailer_id').notNull(),
  },
  (t) => [index('metering_points_retailer_idx').on(t.retailerId, t.id)],
);

export const supplyContracts = metering.table(
  'supply_contracts',
  {
    meteringPointId: text('metering_point_id')
      .notNull()
      .references(() => meteringPoints.id),
    retailerId: text('retailer_id').notNull(),
    validFrom: timestamp('valid_from', { withTimezone: true }).notNull(),
    /** Null while the contract runs. */
    validTo: timestamp('valid_to', { withTimezone: true }),
  },
  (t) => [index('supply_contracts_point_idx').on(t.meteringPointId, t.validFrom), index('supply_contracts_retailer_idx').on(t.retailerId)],
);
