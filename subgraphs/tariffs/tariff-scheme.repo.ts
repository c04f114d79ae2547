import { and, asc, eq, inArray, type SQL } from 'drizzle-orm';
import { PRICED_PERIODS } from '../../schema/tariffs';
import { tariffSchemePrices, tariffSchemes } from '../../schema/tables';
import type { Database } from '../kit/db';
import type { BillScheme } from './bill.rules';
import type { TariffScheme } from './tariff-scheme.type';

type SchemeRow = typeof tariffSchemes.$inferSelect;
type PriceRow = typeof tariffSchemePrices.$inferSelect;

/** A scheme version as the hub reads it: the GraphQL shape, and its exact prices for the bill. */
export interface SchemeVersion extends TariffScheme {
  bill: BillScheme;
}

function toScheme(row: SchemeRow, prices: readonly PriceRow[]): SchemeVersion {
  const own = prices.filter((price) => price.schemeId === row.id).sort((a, b) => PRICED_PERIODS.indexOf(a.period) - PRICED_PERIODS.indexOf(b.period));
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    cycle: row.cycle,
    version: row.version,
    family: row.family,
    status: row.status,
    energyPrices: own.map((price) => ({ period: price.period, energyPriceEurPerKwh: price.energyPriceNanoEurPerKwh / 1e9 })),
    powerPriceEurPerKvaDay: row.powerPriceNanoEurPerKvaDay / 1e9,
    validFrom: row.validFrom,
    validTo: row.validTo,
    publishedAt: row.publishedAt,
    bill: {
      cycle: row.cycle,
      energyNanoEurPerKwh: Object.fromEntries(own.map((price) => [price.period, price.energyPriceNanoEurPerKwh])),
      powerNanoEurPerKvaDay: row.powerPriceNanoEurPerKvaDay,
    },
  };
}

/** Scheme versions with their prices. Drafts only where `withDrafts`: a calibration's result is the DSO's until published. */
export class TariffSchemeRepo {
  constructor(
    private readonly db: Database,
    private readonly withDrafts: boolean,
  ) {}

  private async read(where: SQL | undefined): Promise<SchemeVersion[]> {
    const visible = this.withDrafts ? where : and(where, eq(tariffSchemes.status, 'PUBLISHED'));
    const rows = await this.db.select().from(tariffSchemes).where(visible).orderBy(asc(tariffSchemes.family), asc(tariffSchemes.version));
    if (rows.length === 0) return [];
    const prices = await this.db.select().from(tariffSchemePrices).where(inArray(tariffSchemePrices.schemeId, rows.map((row) => row.id)));
    return rows.map((row) => toScheme(row, prices));
  }

  all(): Promise<SchemeVersion[]> {
    return this.read(undefined);
  }

  byIds(ids: readonly string[]): Promise<SchemeVersion[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.read(inArray(tariffSchemes.id, [...ids]));
  }
}
