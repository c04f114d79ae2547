import { asc } from 'drizzle-orm';
import { tariffAssignments, tariffPlans } from '../../schema/tables';
import type { Database } from '../kit/db';
import { anyText } from '../kit/sql';
import type { Tariff, TariffCycle, TariffKind } from './tariff.type';

export interface TariffAssignmentRow {
  meteringPointId: string;
  tariffPlanId: string;
}

type PlanRow = typeof tariffPlans.$inferSelect;

function toTariff(row: PlanRow): Tariff {
  const prices = JSON.parse(row.energyPriceEurPerKwhByPeriod) as Record<string, number>;
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as TariffKind,
    cycle: row.cycle as TariffCycle | null,
    energyPrices: Object.entries(prices).map(([period, energyPriceEurPerKwh]) => ({ period, energyPriceEurPerKwh })),
    powerPriceEurPerKvaDay: row.powerPriceEurPerKvaDay,
  };
}

export class TariffRepo {
  constructor(private readonly db: Database) {}

  async all(): Promise<Tariff[]> {
    const rows = await this.db.select().from(tariffPlans).orderBy(asc(tariffPlans.id));
    return rows.map(toTariff);
  }

  async byIds(ids: readonly string[]): Promise<Tariff[]> {
    const rows = await this.db.select().from(tariffPlans).where(anyText(tariffPlans.id, ids));
    return rows.map(toTariff);
  }

  assignments(meteringPointIds: readonly string[]): Promise<TariffAssignmentRow[]> {
    return this.db
      .select({ meteringPointId: tariffAssignments.meteringPointId, tariffPlanId: tariffAssignments.tariffPlanId })
      .from(tariffAssignments)
      .where(anyText(tariffAssignments.meteringPointId, meteringPointIds));
  }
}
