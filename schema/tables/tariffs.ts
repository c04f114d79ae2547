import { sql } from 'drizzle-orm';
import { bigint, check, date, index, integer, pgSchema, primaryKey, text, timestamp, unique } from 'drizzle-orm/pg-core';
import { PILOT_PARTIES, PRICED_PERIODS, SCHEME_STATUSES, TARIFF_CYCLES, TARIFF_KINDS } from '../tariffs';

/** Network tariff schemes, their prices, which scheme each metering point is on, the dynamic-tariff pilot and its critical-peak events. */
export const tariffs = pgSchema('tariffs');

export const tariffKind = tariffs.enum('tariff_kind', TARIFF_KINDS);
export const tariffCycle = tariffs.enum('tariff_cycle', TARIFF_CYCLES);
export const pricedPeriod = tariffs.enum('priced_period', PRICED_PERIODS);
export const schemeStatus = tariffs.enum('scheme_status', SCHEME_STATUSES);
export const pilotParty = tariffs.enum('pilot_party', PILOT_PARTIES);

/**
 * One version of a scheme. Versions of the same scheme share `family`; a published version is
 * immutable (a trigger refuses updates and deletes, migrations/0019), so bills computed on it
 * stay reproducible. Prices are integers of nano-euros, so a calibrated price keeps nine decimals.
 */
export const tariffSchemes = tariffs.table(
  'schemes',
  {
    id: text('id').primaryKey(),
    family: text('family').notNull(),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    kind: tariffKind('kind').notNull(),
    cycle: tariffCycle('cycle'),
    status: schemeStatus('status').notNull(),
    powerPriceNanoEurPerKvaDay: bigint('power_price_nano_eur_per_kva_day', { mode: 'number' }).notNull(),
    /** Local calendar days the version applies on: from inclusive, to exclusive; null to: open-ended. */
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    validTo: date('valid_to', { mode: 'string' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
  },
  (t) => [
    unique('schemes_family_version').on(t.family, t.version),
    check('schemes_cycle_unless_flat', sql`(${t.kind} = 'FLAT') = (${t.cycle} IS NULL)`),
    check('schemes_power_price_not_negative', sql`${t.powerPriceNanoEurPerKvaDay} >= 0`),
    check('schemes_valid_days', sql`${t.validTo} IS NULL OR ${t.validTo} > ${t.validFrom}`),
    check('schemes_published_at', sql`(${t.status} = 'PUBLISHED') = (${t.publishedAt} IS NOT NULL)`),
  ],
);

/** A scheme's energy price for each period it prices, nano-euros per kWh. */
export const tariffSchemePrices = tariffs.table(
  'scheme_prices',
  {
    schemeId: text('scheme_id')
      .notNull()
      .references(() => tariffSchemes.id),
    period: pricedPeriod('period').notNull(),
    energyPriceNanoEurPerKwh: bigint('energy_price_nano_eur_per_kwh', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.schemeId, t.period] }), check('scheme_prices_not_negative', sql`${t.energyPriceNanoEurPerKwh} >= 0`)],
);

/**
 * Which scheme a metering point is on, over time: [valid_from, valid_to), at most one at a time
 * (an exclusion constraint, migrations/0019); valid_to null while it is the current one.
 */
export const tariffAssignments = tariffs.table(
  'assignments',
  {
    meteringPointId: text('metering_point_id').notNull(),
    schemeId: text('scheme_id')
      .notNull()
      .references(() => tariffSchemes.id),
    validFrom: timestamp('valid_from', { withTimezone: true }).notNull(),
    validTo: timestamp('valid_to', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.meteringPointId, t.validFrom] }),
    index('assignments_scheme_idx').on(t.schemeId),
    check('assignments_window', sql`${t.validTo} IS NULL OR ${t.validTo} > ${t.validFrom}`),
  ],
);

/**
 * A metering point's enrolment in the dynamic-tariff pilot: in force once both the customer and
 * its retailer have accepted, from `starts_at` (a local midnight) until `ends_at` (the local
 * midnight after a withdrawal). While in force, the point's assignment is the pilot scheme.
 */
export const pilotEnrolments = tariffs.table(
  'pilot_enrolments',
  {
    id: text('id').primaryKey(),
    meteringPointId: text('metering_point_id').notNull(),
    schemeId: text('scheme_id')
      .notNull()
      .references(() => tariffSchemes.id),
    /** The retailer that supplies the point when the enrolment was asked for: the one whose acceptance counts. */
    retailerId: text('retailer_id').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    customerAcceptedAt: timestamp('customer_accepted_at', { withTimezone: true }),
    retailerAcceptedAt: timestamp('retailer_accepted_at', { withTimezone: true }),
    endsAt: timestamp('ends_at', { withTimezone: true }),
    withdrawnBy: pilotParty('withdrawn_by'),
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('pilot_enrolments_point_idx').on(t.meteringPointId),
    check('pilot_enrolments_window', sql`${t.endsAt} IS NULL OR ${t.endsAt} > ${t.startsAt}`),
    check('pilot_enrolments_withdrawal', sql`(${t.withdrawnBy} IS NULL) = (${t.withdrawnAt} IS NULL)`),
  ],
);

/** A critical-peak event of a scheme: announced ahead (CRITICAL_PEAK_NOTICE), priced at the scheme's critical_peak price. */
export const criticalPeakEvents = tariffs.table(
  'critical_peak_events',
  {
    id: text('id').primaryKey(),
    schemeId: text('scheme_id')
      .notNull()
      .references(() => tariffSchemes.id),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    announcedAt: timestamp('announced_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('critical_peak_events_scheme_idx').on(t.schemeId, t.startsAt), check('critical_peak_events_window', sql`${t.endsAt} > ${t.startsAt}`)],
);
