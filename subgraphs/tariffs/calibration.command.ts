import { BadUserInputError } from '../../schema/errors';
import { recordAccess } from '../kit/access-log';
import { recordMutation } from '../kit/audit';
import { lisbonLocalDay } from '../kit/calendar';
import type { SubgraphContext } from '../kit/context';
import { billSchemes } from './bill.query';
import { billWindowProblem, eurOf, lineAmounts, type CriticalPeakWindow } from './bill.rules';
import { calibrate, chargedPower, parseCalibrationTarget, sampleSizeProblem, type Problem } from './calibration.rules';
import type { Calibration, CalibrateRevenueNeutralInput } from './calibration.type';
import { ERSE_TOU_PERIODS } from './erse-periods.table';
import { localDayText } from '../kit/local-day';
import { parseLocalWindow } from './local-time.rules';
import { TariffEnergyRepo, type TariffWindow } from './tariff-energy.repo';
import { MAX_SAMPLE_POINTS, parseTariffSample } from './tariff-sample.rules';
import { insertSchemeVersion } from './tariff-scheme.command';
import { TariffSchemeRepo } from './tariff-scheme.repo';
import { schemeHeaderProblems } from './tariff-scheme.rules';
import type { TariffsLoaders } from './tariffs.loader';

type Context = SubgraphContext<TariffsLoaders>;

const refuse = (problems: readonly Problem[]) => new BadUserInputError(problems.map((problem) => problem.message).join('; '), { field: problems[0]!.field });

/** How many ids an error names before it counts the rest. */
const NAMED_IDS = 5;
const idList = (ids: readonly string[]) => `${ids.slice(0, NAMED_IDS).join(', ')}${ids.length > NAMED_IDS ? ` and ${ids.length - NAMED_IDS} more` : ''}`;

/** The sample's points, or BAD_USER_INPUT: unknown ids or substation, none, or more than MAX_SAMPLE_POINTS. */
async function samplePoints(energy: TariffEnergyRepo, input: CalibrateRevenueNeutralInput['sample']): Promise<{ ids: string[]; named: boolean }> {
  const sample = parseTariffSample(input);
  if (typeof sample === 'string') throw new BadUserInputError(sample, { field: 'sample' });
  if (sample.kind === 'points') return { ids: sample.ids, named: true };
  const ids = await energy.pointsOf({ kind: 'secondary', id: sample.id });
  if (ids === null) throw new BadUserInputError('there is no such secondary substation', { field: 'sample.secondarySubstationId' });
  if (ids.length === 0 || ids.length > MAX_SAMPLE_POINTS) {
    throw new BadUserInputError(`the secondary substation has ${ids.length} metering points: a sample holds 1 to ${MAX_SAMPLE_POINTS.toLocaleString('en')}`, { field: 'sample.secondarySubstationId' });
  }
  return { ids, named: false };
}

/**
 * calibrateRevenueNeutral (DSO): everything is checked before anything is read, then the sample's
 * energy is read in one statement, summed per quarter-hour and scheme assigned at it
 * (TariffEnergyRepo.schemeQuarters), beside its assignments, its contracted power, and the
 * schemes it was on with their events; the prices are solved for (calibration.rules.ts) and
 * written as a DRAFT version of a new family, in one transaction with its audit line. A sample named point by point
 * is logged as a read of each point, as metering logs a demand of a point set; a substation's is
 * an aggregate, as its demand is.
 */
export async function calibrateRevenueNeutral(ctx: Context, input: CalibrateRevenueNeutralInput): Promise<Calibration> {
  const window: TariffWindow = { fromMs: input.from.getTime(), toMs: input.to.getTime() };
  const windowProblem = billWindowProblem(window.fromMs, window.toMs);
  if (windowProblem) throw new BadUserInputError(windowProblem, { field: windowProblem.startsWith('from') ? 'from' : 'to' });

  const problems: Problem[] = [];
  const events: CriticalPeakWindow[] = [];
  for (const [i, event] of (input.criticalPeak?.events ?? []).entries()) {
    const parsed = parseLocalWindow(event.day, event.start, event.end);
    if (typeof parsed === 'string') problems.push({ field: `criticalPeak.events[${i}]`, message: `criticalPeak.events[${i}]: ${parsed}` });
    else events.push({ startMs: parsed.startMs, endMs: parsed.endMs });
  }
  if (problems.length > 0) throw refuse(problems);
  const cycle = input.cycle ?? null;
  const target = parseCalibrationTarget(
    {
      kind: input.kind,
      cycle,
      ratios: input.priceRatios,
      powerPriceEurPerKvaDay: input.powerPriceEurPerKvaDay,
      criticalPeak: input.criticalPeak ? { ratio: input.criticalPeak.ratio, events } : null,
    },
    window,
  );
  const firstDay = localDayText(lisbonLocalDay(window.fromMs));
  const endDay = localDayText(lisbonLocalDay(window.toMs));
  const name = input.name ?? `${input.kind}${cycle ? ` ${cycle}` : ''}, revenue-neutral on ${firstDay} to ${endDay}`;
  const validFrom = input.validFrom ?? endDay;
  const validTo = input.validTo ?? null;
  problems.push(...(Array.isArray(target) ? target : []), ...schemeHeaderProblems(name, validFrom, validTo));
  if (problems.length > 0 || Array.isArray(target)) throw refuse(problems);

  const energy = new TariffEnergyRepo(ctx.db);
  const sample = await samplePoints(energy, input.sample);
  const tooLarge = sampleSizeProblem(sample.ids.length, lisbonLocalDay(window.toMs) - lisbonLocalDay(window.fromMs));
  if (tooLarge) throw new BadUserInputError(tooLarge, { field: 'sample' });
  const powers = await energy.contracts(sample.ids);
  if (powers.length < sample.ids.length) {
    const known = new Set(powers.map((power) => power.meteringPointId));
    throw new BadUserInputError(`unknown metering points: ${idList(sample.ids.filter((id) => !known.has(id)))}`, { field: 'sample.meteringPointIds' });
  }
  const [assigned, spans] = await Promise.all([energy.schemeQuarters(sample.ids, window), energy.assignmentSpans(sample.ids, window)]);
  const schemeIds = [...new Set(spans.map((span) => span.schemeId))];
  const [schemes, schemeEvents] = schemeIds.length === 0 ? [[], []] : await Promise.all([new TariffSchemeRepo(ctx.db, true).byIds(schemeIds), energy.criticalPeaks(schemeIds, window)]);
  const power = chargedPower(spans, powers, window.fromMs, window.toMs);
  const result = calibrate(ERSE_TOU_PERIODS, billSchemes(schemes, schemeEvents), assigned, power, target);
  if ('message' in result) throw refuse([result]);

  const values = { name: name.trim(), family: null, kind: input.kind, cycle, energyNanoEurPerKwh: result.energyNanoEurPerKwh, powerNanoEurPerKvaDay: target.powerNanoEurPerKvaDay, validFrom, validTo };
  const id = await ctx.db.transaction(async (tx) => {
    const written = await insertSchemeVersion(tx, values, 'DRAFT');
    await recordMutation(tx, ctx, 'calibrateRevenueNeutral', written, `draft ${input.kind} revenue-neutral on ${sample.ids.length} metering points, ${firstDay} to ${endDay}: scale ${result.scaleFactor}`);
    return written;
  });
  if (sample.named) await recordAccess(ctx.db, ctx.identity, ctx.requestId, 'calibrateRevenueNeutral', sample.ids, window);
  const [scheme] = await ctx.loaders.schemes.byIds([id]);
  if (!scheme) throw new Error(`calibrated scheme ${id} was written but cannot be read back`);
  return {
    scheme,
    revenueBeforeEur: eurOf(result.before.totalPicoEur),
    revenueAfterEur: eurOf(result.after.totalPicoEur),
    scaleFactor: result.scaleFactor,
    relativeDifference: result.relativeDifference,
    energyBeforeEur: eurOf(result.before.energyPicoEur),
    powerBeforeEur: eurOf(result.before.powerPicoEur),
    energyAfterEur: eurOf(result.after.energyPicoEur),
    powerAfterEur: eurOf(result.after.powerPicoEur),
    kvaDays: power.total / 100,
    sampleSize: sample.ids.length,
    quarterHours: result.quarterHours,
    lines: result.lines.map((line) => ({
      period: line.period,
      ratio: line.ratio,
      ...lineAmounts(line),
    })),
  };
}
