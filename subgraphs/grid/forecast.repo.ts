import type { Identity } from '../../schema/identity';
import { StandardProfiles, profileCoefficientsSchema } from '../../tools/profiles/coefficients';
import rawCoefficients from '../../tools/seed/profile-coefficients.json';
import { QUARTER_MS } from '../kit/calendar';
import type { Database } from '../kit/db';
import {
  backtest,
  backtestDays,
  backtestHistoryWindow,
  forecastHistoryWindow,
  forecastPoint,
  netKw,
  sumSeries,
  type Backtest,
  type ClassProfiles,
  type LoadModel,
  type PowerSeries,
} from './forecast.rules';
import { LoadHistoryRepo } from './load-history.repo';

let sharedProfiles: StandardProfiles | undefined;
/** The official E-REDES class profiles, parsed on first use; their caches are deterministic, so every request shares them. */
function standardProfiles(): StandardProfiles {
  sharedProfiles ??= new StandardProfiles(profileCoefficientsSchema.parse(rawCoefficients));
  return sharedProfiles;
}

/** A point none of whose readings is stored (or readable) still gets its class profile's forecast. */
const NO_HISTORY: PowerSeries = { startMs: 0, importKw: new Float64Array(0), exportKw: new Float64Array(0) };
/** A point the metering domain does not know: flat at nothing. */
const NO_LOAD: LoadModel = { profileClass: null, annualConsumptionKwh: 0 };

/**
 * Forecasts (forecast.rules.ts) of metering points from their stored history, for the forecast
 * fields and the power-flow runs. `readableBy` restricts the history to what that caller may
 * read, so a point's forecast never tells more than its readings would.
 */
export class ForecastService {
  private readonly repo: LoadHistoryRepo;

  constructor(
    db: Database,
    private readonly profiles: ClassProfiles = standardProfiles(),
  ) {
    this.repo = new LoadHistoryRepo(db);
  }

  /** Per point, the forecast net power (import − export, kW) per quarter-hour of [fromMs, toMs) (aligned to 15 minutes). */
  async forecastNetKw(meteringPointIds: readonly string[], fromMs: number, toMs: number): Promise<Map<string, Float64Array>> {
    const forecasts = await this.pointForecasts(meteringPointIds, fromMs, toMs);
    return new Map([...forecasts].map(([id, series]) => [id, netKw(series)]));
  }

  /** The points' summed forecast over [fromMs, toMs). */
  async forecast(meteringPointIds: readonly string[], fromMs: number, toMs: number, readableBy?: Identity): Promise<PowerSeries> {
    const forecasts = await this.pointForecasts(meteringPointIds, fromMs, toMs, readableBy);
    return sumSeries([...forecasts.values()], fromMs, (toMs - fromMs) / QUARTER_MS);
  }

  /** The backtest of the points' summed forecast over the `days` complete local days before `nowMs`. */
  async accuracy(meteringPointIds: readonly string[], days: number, nowMs: number, readableBy?: Identity): Promise<Backtest> {
    const targetDays = backtestDays(nowMs, days);
    const window = backtestHistoryWindow(targetDays);
    const [histories, models] = await Promise.all([this.repo.history(meteringPointIds, window.fromMs, window.toMs, readableBy), this.repo.loadModels(meteringPointIds)]);
    // A point with no readable reading in the window has no actuals: the scope's would all be unknown.
    const points = [...histories].map(([id, history]) => ({ history, model: models.get(id) ?? NO_LOAD }));
    return backtest(points, this.profiles, targetDays);
  }

  private async pointForecasts(meteringPointIds: readonly string[], fromMs: number, toMs: number, readableBy?: Identity): Promise<Map<string, PowerSeries>> {
    const window = forecastHistoryWindow(fromMs, toMs);
    const [histories, models] = await Promise.all([this.repo.history(meteringPointIds, window.fromMs, window.toMs, readableBy), this.repo.loadModels(meteringPointIds)]);
    return new Map(
      meteringPointIds.map((id) => [id, forecastPoint(histories.get(id) ?? NO_HISTORY, models.get(id) ?? NO_LOAD, this.profiles, fromMs, toMs)]),
    );
  }
}
