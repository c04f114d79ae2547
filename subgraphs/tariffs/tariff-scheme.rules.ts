/**
 * What makes a scheme version well formed, checked at the edge before anything is written: by
 * createTariffScheme for its prices, by calibrateRevenueNeutral for its ratios. Pure.
 */
import { PRICED_PERIODS, type PricedPeriod, type TariffCycle, type TariffKind } from '../../schema/tariffs';
import { nanoEur, schemePeriodsProblem } from './bill.rules';
import { parseLocalDay } from '../kit/local-day';

export const MAX_SCHEME_NAME_LENGTH = 200;
/** The highest price a scheme may hold, EUR per kWh or per kVA and day: far above any tariff, well inside the columns' integers of nano-euros. */
export const MAX_PRICE_EUR = 1_000;

const isPricedPeriod = (period: string): period is PricedPeriod => (PRICED_PERIODS as readonly string[]).includes(period);

/** What is wrong with a scheme's shape, and whether it is its cycle or the periods it prices (the input names them energyPrices or priceRatios). */
export interface ShapeProblem {
  on: 'cycle' | 'periods';
  message: string;
}

const onPeriods = (message: string): ShapeProblem => ({ on: 'periods', message });

/**
 * Why a scheme of `kind` on `cycle` cannot price `periods`, or null: FLAT has no cycle and prices
 * `all` only; TIME_OF_USE and CRITICAL_PEAK have a cycle and price ERSE periods that tile every
 * day exactly once (two-rate, three-rate or four-period); CRITICAL_PEAK prices `critical_peak`
 * too, TIME_OF_USE never does.
 */
export function schemeShapeProblem(kind: TariffKind, cycle: TariffCycle | null, periods: readonly string[]): ShapeProblem | null {
  const unknown = periods.filter((period) => !isPricedPeriod(period));
  if (unknown.length > 0) return onPeriods(`unknown period ${unknown.map((period) => `'${period}'`).join(', ')}: the periods are ${PRICED_PERIODS.join(', ')}`);
  const priced = periods as readonly PricedPeriod[];
  if (kind === 'FLAT') {
    if (cycle !== null) return { on: 'cycle', message: 'a FLAT scheme has no cycle' };
    if (priced.length === 1 && priced[0] === 'all') return null;
    return onPeriods(priced.length > 1 && priced.every((period) => period === 'all') ? 'all is priced twice' : 'a FLAT scheme prices the period all, and only it');
  }
  if (cycle === null) return { on: 'cycle', message: `a ${kind} scheme needs a cycle, DAILY or WEEKLY` };
  if (priced.includes('all')) return onPeriods(`a ${kind} scheme prices ERSE periods, not all (that is a FLAT scheme)`);
  const criticalPeaks = priced.filter((period) => period === 'critical_peak').length;
  if (kind === 'TIME_OF_USE' && criticalPeaks > 0) return onPeriods('a TIME_OF_USE scheme has no critical_peak price (that is a CRITICAL_PEAK scheme)');
  if (kind === 'CRITICAL_PEAK' && criticalPeaks !== 1) return onPeriods(criticalPeaks === 0 ? 'a CRITICAL_PEAK scheme must price critical_peak' : 'critical_peak is priced twice');
  const problem = schemePeriodsProblem(priced);
  return problem ? onPeriods(`the periods do not tile the day: ${problem}`) : null;
}

/** A price in EUR as nano-euros, or what is wrong with it (negative, not finite, finer than a nano-euro). */
export function priceNanoEur(eur: number, name: string): number | string {
  if (!Number.isFinite(eur) || eur < 0) return `${name} must be a price of 0 EUR or more`;
  if (eur > MAX_PRICE_EUR) return `${name} must be at most ${MAX_PRICE_EUR.toLocaleString('en')} EUR`;
  try {
    return nanoEur(eur);
  } catch {
    return `${name} ${eur} is finer than a nano-euro (at most 9 decimals)`;
  }
}

export interface SchemeDraft {
  name: string;
  family: string | null;
  kind: TariffKind;
  cycle: TariffCycle | null;
  energyPrices: readonly { period: string; energyPriceEurPerKwh: number }[];
  powerPriceEurPerKvaDay: number;
  validFrom: string;
  validTo: string | null;
}

export interface Problem {
  field: string;
  message: string;
}

/** A scheme version ready to be written: prices in nano-euros, by period. */
export interface SchemeVersionValues {
  name: string;
  family: string | null;
  kind: TariffKind;
  cycle: TariffCycle | null;
  energyNanoEurPerKwh: Partial<Record<PricedPeriod, number>>;
  powerNanoEurPerKvaDay: number;
  validFrom: string;
  validTo: string | null;
}

/** What is wrong with a version's name and validity days (local dates, to after from). */
export function schemeHeaderProblems(name: string, validFrom: string, validTo: string | null): Problem[] {
  const problems: Problem[] = [];
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_SCHEME_NAME_LENGTH) problems.push({ field: 'name', message: `name must hold 1 to ${MAX_SCHEME_NAME_LENGTH} characters` });
  const from = parseLocalDay(validFrom, 'validFrom');
  if (typeof from === 'string') problems.push({ field: 'validFrom', message: from });
  const to = validTo === null ? null : parseLocalDay(validTo, 'validTo');
  if (typeof to === 'string') problems.push({ field: 'validTo', message: to });
  else if (typeof from === 'number' && to !== null && to <= from) problems.push({ field: 'validTo', message: `validTo ${validTo} must be after validFrom ${validFrom}` });
  return problems;
}

/** The version a createTariffScheme input describes, or every problem with it. */
export function parseSchemeDraft(draft: SchemeDraft): SchemeVersionValues | Problem[] {
  const problems = schemeHeaderProblems(draft.name, draft.validFrom, draft.validTo);
  const family = draft.family === null ? null : draft.family.trim();
  if (family === '') problems.push({ field: 'family', message: 'family is empty: leave it out for a new scheme' });
  else if (family !== null && family.length > MAX_SCHEME_NAME_LENGTH) problems.push({ field: 'family', message: `family must hold at most ${MAX_SCHEME_NAME_LENGTH} characters` });
  const shape = schemeShapeProblem(draft.kind, draft.cycle, draft.energyPrices.map((price) => price.period));
  if (shape) problems.push({ field: shape.on === 'cycle' ? 'cycle' : 'energyPrices', message: shape.message });
  const energyNanoEurPerKwh: Partial<Record<PricedPeriod, number>> = {};
  for (const [i, price] of draft.energyPrices.entries()) {
    const nano = priceNanoEur(price.energyPriceEurPerKwh, `energyPrices[${i}].energyPriceEurPerKwh`);
    if (typeof nano === 'string') problems.push({ field: `energyPrices[${i}].energyPriceEurPerKwh`, message: nano });
    else energyNanoEurPerKwh[price.period as PricedPeriod] = nano;
  }
  const power = priceNanoEur(draft.powerPriceEurPerKvaDay, 'powerPriceEurPerKvaDay');
  if (typeof power === 'string') problems.push({ field: 'powerPriceEurPerKvaDay', message: power });
  if (problems.length > 0 || typeof power === 'string') return problems;
  return {
    name: draft.name.trim(),
    family,
    kind: draft.kind,
    cycle: draft.cycle,
    energyNanoEurPerKwh,
    powerNanoEurPerKvaDay: power,
    validFrom: draft.validFrom,
    validTo: draft.validTo,
  };
}
