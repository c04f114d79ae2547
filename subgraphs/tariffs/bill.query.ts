import { ForbiddenError, NotFoundError } from '../../schema/errors';
import { recordAccess } from '../kit/access-log';
import type { SubgraphContext } from '../kit/context';
import { billSegments, eurOf, lineAmounts, pointSegments, type BillScheme, type SchemeSpan } from './bill.rules';
import { billContext } from './bill.repo';
import type { Bill } from './bill.type';
import { ERSE_TOU_PERIODS } from './erse-periods.table';
import type { TariffWindow } from './tariff-energy.repo';
import type { SchemeVersion } from './tariff-scheme.repo';
import type { TariffsLoaders } from './tariffs.loader';

type Context = SubgraphContext<TariffsLoaders>;

const OUTSIDE_PERIODS: Partial<Record<Context['identity']['role'], string>> = {
  retailer: 'you may bill this metering point only over your own supply periods of it, and the window is not within them',
  researcher: 'you may bill this metering point only within the period of a tariffs:read consent in force, and the window is not within it',
};

/** Scheme versions as a bill prices them (TariffSchemeRepo's, with TariffEnergyRepo.criticalPeaks): events only on a CRITICAL_PEAK scheme. */
export function billSchemes(schemes: readonly SchemeVersion[], events: readonly { schemeId: string; startMs: number; endMs: number }[]): Map<string, BillScheme> {
  return new Map(
    schemes.map((scheme) => [
      scheme.id,
      scheme.kind === 'CRITICAL_PEAK' ? { ...scheme.bill, criticalPeaks: events.filter((event) => event.schemeId === scheme.id) } : scheme.bill,
    ]),
  );
}

/**
 * Query.bill: the point's bill over [from, to) (a window billWindowProblem accepts), on `schemeId`
 * over the whole window (a what-if, whatever the scheme's validity dates), or else on the schemes
 * it was assigned, split where they change. The caller must be allowed the point's data at every
 * instant of the window (kit/point-access.sql.ts, consent scope tariffs:read): a point it may not
 * know of is NOT_FOUND, exactly like a missing one; a known point outside its periods FORBIDDEN.
 * One statement reads the access, contracted power, assignments, prices, events and readings
 * (bill.repo.ts); the access-log line (`bill`, with the window) is written while the bill is priced.
 */
export async function readBill(ctx: Context, meteringPointId: string, window: TariffWindow, schemeId: string | null): Promise<Bill> {
  const context = await billContext(ctx.db, ctx.identity, meteringPointId, window, schemeId, ctx.identity.role === 'dso');
  if (!context.known || context.contractedPowerKva === null) throw new NotFoundError('Metering point');
  if (!context.throughout) throw new ForbiddenError(OUTSIDE_PERIODS[ctx.identity.role] ?? 'you may not read this metering point’s bills over this window');
  if (schemeId !== null && !context.schemes.has(schemeId)) throw new NotFoundError('Tariff scheme');
  const spans: SchemeSpan[] = schemeId !== null ? [{ schemeId, fromMs: -Infinity, toMs: Infinity }] : context.spans;

  const kva = context.contractedPowerKva;
  // Logged while the bill is priced, which needs no more reads.
  const [, { result, unbilled, missing }] = await Promise.all([
    recordAccess(ctx.db, ctx.identity, ctx.requestId, 'bill', [meteringPointId], window),
    Promise.resolve().then(() => {
      const { segments, ...counts } = pointSegments(window.fromMs, window.toMs, spans, context.readings, context.schemes);
      return { result: billSegments(ERSE_TOU_PERIODS, segments, kva), ...counts };
    }),
  ]);
  return {
    meteringPointId,
    from: new Date(window.fromMs),
    to: new Date(window.toMs),
    quarterHours: result.quarterHours,
    unbilledQuarterHours: unbilled,
    missingQuarterHours: missing,
    lines: result.lines.map((line) => ({
      schemeId: line.schemeId,
      period: line.period,
      ...lineAmounts(line),
    })),
    powerDays: result.powerDays,
    contractedPowerKva: kva,
    energyEur: eurOf(result.energyPicoEur),
    powerEur: eurOf(result.powerPicoEur),
    totalEur: eurOf(result.totalPicoEur),
  };
}
