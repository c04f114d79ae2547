import { DAY_MS, HOUR_MS, MINUTE_MS, QUARTERS_PER_DAY, QUARTER_MS, civilDate, epochDay, lisbonMidnightUtcMs, lisbonOffsetMs } from '../../subgraphs/kit/calendar';
import { BTN_A, BTN_B, BTN_C, IP, StandardProfiles, profileCoefficientsSchema, type LocalDayProfile, type ProfileClassIndex } from '../profiles/coefficients';
import rawCoefficients from './profile-coefficients.json';

/**
 * Synthetic 15-minute meter and transformer (DTC) readings for the demo parish.
 *
 * Pure and deterministic: every figure is a function of (seed, point key, interval) through
 * hash-based noise, never a sequential PRNG, so readings can be generated in any order, in
 * parallel, or again for one point alone, and come out the same. Consumption follows the official
 * E-REDES profile of the point's class (tools/seed/profile-coefficients.json, derived by
 * tools/profiles/derive.ts) for the Lisbon date and quarter-hour; per point, a time shift and a
 * peakiness, per day a level, per interval noise. Everything per point is precomputed by
 * createCurveGenerator and everything per day cached, because the seed asks ~10 million readings.
 */

export type CustomerClass = 'BTN_A' | 'BTN_B' | 'BTN_C';
export type Usage = 'RESIDENTIAL' | 'COMMERCIAL' | 'EV_CHARGING' | 'PUBLIC_LIGHTING';

export interface CurvePoint {
  /** Unique integer per metering point: it keys the point's noise. */
  key: number;
  customerClass: CustomerClass;
  usage: Usage;
  /** Everything through the meter, a home charger's energy included. */
  annualConsumptionKwh: number;
  pvCapacityKwp: number;
  contractedPowerKva: number;
  homeCharger?: HomeCharger;
}

/**
 * An electric car charged at home behind the meter, every evening at the same hours: plugged in
 * on coming home, charging at the wallbox's full power until the session ends, before midnight.
 */
export interface HomeCharger {
  powerKw: number;
  /** Lisbon local minute of the day the session starts, and its length. */
  startMinute: number;
  durationMinutes: number;
}

/** What a home charger draws in a year: the same session every day. */
export function homeChargerAnnualKwh(charger: HomeCharger): number {
  return (charger.powerKw * charger.durationMinutes * 365) / 60;
}

/** Energy through the meter in one 15-minute interval, whole Wh. */
export interface IntervalReading {
  importWh: number;
  exportWh: number;
}

export interface CurveGenerator {
  readonly pointCount: number;
  /**
   * The reading of `points[pointIndex]` for the 15 minutes from `intervalStartMs` (UTC ms on a
   * quarter-hour); a new object per call.
   */
  reading(pointIndex: number, intervalStartMs: number): IntervalReading;
  /** The same, written into `out` (returned): no allocation, for loops over millions of readings. */
  readingInto(pointIndex: number, intervalStartMs: number, out: IntervalReading): IntervalReading;
}

// ---------------------------------------------------------------------------------------------
// Hash-based noise

// The hot path calls these through module constants: under jest, code runs in a vm context where
// every lookup of the global Math costs as much as the rest of a reading.
const { imul, floor, min, max } = Math;
const roundInt = Math.round;

/** murmur3's finaliser: a cheap 32-bit bijection with full avalanche. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of (seed, salt, key); keys beyond 32 bits keep their high part. */
function streamHash(seed: number, salt: number, key: number): number {
  return mix(mix(mix(seed ^ imul(salt, 0x9e3779b9)) ^ (key >>> 0)) ^ floor(key / 0x1_0000_0000));
}

const unit = (h: number): number => h / 0x1_0000_0000;
/** Sum of the hash's two 16-bit halves, mapped to a triangular (-1, 1): mean 0, so noise keeps energy. */
const triangular = (h: number): number => ((h & 0xffff) + (h >>> 16) - 0xffff) / 0x10000;

const SALT = { shape: 1, day: 2, noise: 3, pv: 4, ev: 5, weather: 6, substation: 7, mediumVoltage: 8 } as const;

// ---------------------------------------------------------------------------------------------
// Standard profiles

let sharedProfiles: StandardProfiles | undefined;
/** Parsed on first use; its caches are deterministic, so all generators share it. */
function standardProfiles(): StandardProfiles {
  sharedProfiles ??= new StandardProfiles(profileCoefficientsSchema.parse(rawCoefficients));
  return sharedProfiles;
}

const CLASS_INDEX: Record<CustomerClass, ProfileClassIndex> = { BTN_A, BTN_B, BTN_C };
const MEAN_SHARE = 1 / QUARTERS_PER_DAY;

interface Variation {
  /** Largest time shift of a point's profile, either way (min). */
  shiftMinutes: number;
  /** Range of the point's peakiness: 1 is the profile, 0 flat. */
  peakiness: readonly [number, number];
  /** Day-to-day level: ± this, triangular. */
  dayLevel: number;
  /** Interval-to-interval: ± this, triangular. */
  noise: number;
}

/** Households differ most; lamps switch within minutes of each other. */
const VARIATION: Record<Exclude<Usage, 'EV_CHARGING'>, Variation> = {
  RESIDENTIAL: { shiftMinutes: 45, peakiness: [0.7, 1.3], dayLevel: 0.2, noise: 0.45 },
  COMMERCIAL: { shiftMinutes: 30, peakiness: [0.8, 1.2], dayLevel: 0.1, noise: 0.2 },
  PUBLIC_LIGHTING: { shiftMinutes: 10, peakiness: [1, 1], dayLevel: 0.02, noise: 0.02 },
};

// ---------------------------------------------------------------------------------------------
// PV: clear sky over Lisbon times a daily cloudiness

const LATITUDE = (38.7 * Math.PI) / 180;
const LONGITUDE_DEG = -9.14;
/** A typical south-facing rooftop array. */
const TILT = (30 * Math.PI) / 180;
const SPECIFIC_YIELD_KWH_PER_KWP = 1_600;
/** Mean ratio of actual to clear-sky output by month: Lisbon's winters are cloudier than its summers. */
const MONTHLY_CLEARNESS = [0.7, 0.72, 0.74, 0.74, 0.8, 0.86, 0.9, 0.89, 0.82, 0.74, 0.7, 0.68];

/**
 * Clear-sky plane-of-array irradiance (W/m²) at `utcHours` of day-of-year `dayOfYear`: Cooper's
 * declination, an approximate equation of time, Meinel's beam attenuation with Kasten-Young's
 * air mass, diffuse a tenth of the beam. Zero between sunset and sunrise.
 */
export function clearSkyIrradiance(dayOfYear: number, utcHours: number): number {
  const declination = ((23.45 * Math.PI) / 180) * Math.sin((2 * Math.PI * (284 + dayOfYear)) / 365);
  const b = (2 * Math.PI * (dayOfYear - 81)) / 364;
  const equationOfTimeMin = 9.87 * Math.sin(2 * b) - 7.53 * Math.cos(b) - 1.5 * Math.sin(b);
  const solarHours = utcHours + LONGITUDE_DEG / 15 + equationOfTimeMin / 60;
  const hourAngle = ((solarHours - 12) * 15 * Math.PI) / 180;
  const cosZenith = Math.sin(LATITUDE) * Math.sin(declination) + Math.cos(LATITUDE) * Math.cos(declination) * Math.cos(hourAngle);
  if (cosZenith <= 0) return 0;
  const zenithDeg = (Math.acos(cosZenith) * 180) / Math.PI;
  const airMass = 1 / (cosZenith + 0.50572 * (96.07995 - zenithDeg) ** -1.6364);
  const beam = 1353 * 0.7 ** (airMass ** 0.678);
  const cosIncidence =
    Math.sin(LATITUDE - TILT) * Math.sin(declination) + Math.cos(LATITUDE - TILT) * Math.cos(declination) * Math.cos(hourAngle);
  return beam * Math.max(0, cosIncidence) + 0.1 * beam * ((1 + Math.cos(TILT)) / 2);
}

const quarterMidHours = (slot: number): number => (slot + 0.5) / 4;

let pvCalibration: number | undefined;
/** Wh per kWp per quarter-hour per W/m², chosen so that an average year yields SPECIFIC_YIELD_KWH_PER_KWP. */
function pvWhPerIrradiance(): number {
  if (pvCalibration === undefined) {
    let expectedWh = 0;
    for (let day = 0; day < 365; day++) {
      const clearness = MONTHLY_CLEARNESS[civilDate(epochDay(2023, 1, 1) + day).month - 1];
      for (let slot = 0; slot < QUARTERS_PER_DAY; slot++) expectedWh += clearSkyIrradiance(day + 1, quarterMidHours(slot)) * clearness;
    }
    pvCalibration = (SPECIFIC_YIELD_KWH_PER_KWP * 1000) / expectedWh;
  }
  return pvCalibration;
}

// ---------------------------------------------------------------------------------------------
// EV charging

const EV_SESSION_KWH: readonly [number, number] = [7, 50];
const EV_SESSIONS_PER_DAY: readonly [number, number] = [3, 8];
/** Contracted power above which a station is a 50 kW DC charger rather than 22 kW AC. */
const DC_STATION_ABOVE_KVA = 41.4;
/** Controller, display and modem. */
const EV_STANDBY_WH = 25;
/** Relative likelihood of a session starting in each local hour: mostly daytime and evening. */
const EV_START_HOUR_WEIGHTS = [0.2, 0.15, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 1.5, 1.4, 1.2, 1.2, 1.3, 1.3, 1.2, 1.2, 1.4, 1.7, 1.9, 1.8, 1.4, 1, 0.6, 0.35];
const EV_START_HOUR_CDF = (() => {
  const total = EV_START_HOUR_WEIGHTS.reduce((sum, w) => sum + w, 0);
  let running = 0;
  return EV_START_HOUR_WEIGHTS.map((w) => (running += w) / total);
})();
const MAX_SESSIONS = EV_SESSIONS_PER_DAY[1];

/** Sessions of one station for a local day and the day before (whose late sessions run past midnight). */
class EvSessions {
  localDay = Number.NaN;
  count = 0;
  readonly startMs = new Float64Array(2 * MAX_SESSIONS);
  readonly endMs = new Float64Array(2 * MAX_SESSIONS);
  readonly kw = new Float64Array(2 * MAX_SESSIONS);

  constructor(
    private readonly hash: number,
    private readonly stationKw: number,
    /** Mean sessions a day that meet the point's annual consumption, within EV_SESSIONS_PER_DAY. */
    private readonly meanSessions: number,
  ) {}

  load(localDay: number): void {
    if (localDay === this.localDay) return;
    this.localDay = localDay;
    this.count = 0;
    this.add(localDay - 1);
    this.add(localDay);
  }

  private add(localDay: number): void {
    const dayHash = mix(this.hash ^ mix(localDay));
    const sessions = Math.min(
      EV_SESSIONS_PER_DAY[1],
      Math.max(EV_SESSIONS_PER_DAY[0], Math.floor(this.meanSessions * (0.75 + 0.5 * unit(dayHash)) + unit(mix(dayHash)))),
    );
    const midnight = lisbonMidnightUtcMs(localDay);
    for (let s = 0; s < sessions; s++) {
      const h1 = mix(dayHash + Math.imul(s + 1, 0x9e3779b9));
      const h2 = mix(h1);
      const u = (h1 & 0xffff) / 0x10000;
      let hour = 0;
      while (hour < 23 && EV_START_HOUR_CDF[hour] < u) hour++;
      const startMs = midnight + hour * HOUR_MS + (h1 >>> 16) * (HOUR_MS / 0x10000);
      const kwh = EV_SESSION_KWH[0] + ((h2 & 0xffff) / 0x10000) * (EV_SESSION_KWH[1] - EV_SESSION_KWH[0]);
      const v = (h2 >>> 16) / 0x10000;
      // What the car accepts: AC on-board chargers of 7.4, 11 or 22 kW; DC cars 20-50 kW.
      const kw = this.stationKw > 22 ? 20 + 30 * v : v < 0.45 ? 7.4 : v < 0.85 ? 11 : 22;
      this.startMs[this.count] = startMs;
      this.endMs[this.count] = startMs + (kwh / kw) * HOUR_MS;
      this.kw[this.count] = kw;
      this.count++;
    }
  }

  /** Wh drawn in [fromMs, fromMs + 15 min), at most the station's power. */
  energyWh(fromMs: number): number {
    const toMs = fromMs + QUARTER_MS;
    let wh = EV_STANDBY_WH;
    for (let s = 0; s < this.count; s++) {
      const overlapMs = min(toMs, this.endMs[s]) - max(fromMs, this.startMs[s]);
      if (overlapMs > 0) wh += (this.kw[s] * overlapMs) / HOUR_MS * 1000;
    }
    return min(wh, this.stationKw * 250);
  }
}

// ---------------------------------------------------------------------------------------------
// Day caches

/** One local day as the generator needs it. */
interface LocalDay {
  profile: LocalDayProfile;
  /** mix(localDay): shared by every point's day-level hash. */
  hash: number;
  localDay: number;
}

/** One UTC day: how its quarter-hours map onto local days, and the parish's PV output. */
interface UtcDay {
  /** First UTC quarter-hour of the day on offsetAfter; 96 when summer time neither starts nor ends. */
  transitionSlot: number;
  /** Lisbon's lead on UTC, quarter-hours, before and after the transition. */
  offsetBefore: number;
  offsetAfter: number;
  /** Local days this UTC day overlaps: its own date and, in summer, from 23:00 UTC, the next. */
  today: LocalDay;
  tomorrow: LocalDay;
  /** Per UTC quarter-hour: Wh per kWp under the day's weather. */
  pvWhPerKwp: Float64Array;
}

const CACHE_LIMIT = 4_096;

class LoadCurveGenerator implements CurveGenerator {
  readonly pointCount: number;
  private readonly profileClass: Uint8Array;
  private readonly annualWh: Float64Array;
  /** The point's time shift in quarter-hours, as a whole part and a fraction for interpolation. */
  private readonly shiftWhole: Int8Array;
  private readonly shiftFraction: Float64Array;
  private readonly peakiness: Float64Array;
  private readonly dayLevel: Float64Array;
  private readonly noise: Float64Array;
  private readonly dayHash: Uint32Array;
  private readonly noiseHash: Uint32Array;
  /** kWp × the point's orientation and shading factor. */
  private readonly pvKwp: Float64Array;
  private readonly importCapWh: Float64Array;
  private readonly ev: (EvSessions | undefined)[];
  /** Home charger per point: kW (0 for none), and its session in local minutes of the day. */
  private readonly chargerKw: Float64Array;
  private readonly chargerStart: Float64Array;
  private readonly chargerEnd: Float64Array;

  private readonly profiles = standardProfiles();
  private readonly weatherHash: number;
  private readonly pvScale = pvWhPerIrradiance();
  private readonly utcDays = new Map<number, UtcDay>();
  private readonly localDays = new Map<number, LocalDay>();
  private lastUtcDayNumber = Number.NaN;
  private lastUtcDay: UtcDay | undefined;

  constructor(points: readonly CurvePoint[], seed: number) {
    const n = points.length;
    this.pointCount = n;
    this.profileClass = new Uint8Array(n);
    this.annualWh = new Float64Array(n);
    this.shiftWhole = new Int8Array(n);
    this.shiftFraction = new Float64Array(n);
    this.peakiness = new Float64Array(n);
    this.dayLevel = new Float64Array(n);
    this.noise = new Float64Array(n);
    this.dayHash = new Uint32Array(n);
    this.noiseHash = new Uint32Array(n);
    this.pvKwp = new Float64Array(n);
    this.importCapWh = new Float64Array(n);
    this.ev = new Array<EvSessions | undefined>(n).fill(undefined);
    this.chargerKw = new Float64Array(n);
    this.chargerStart = new Float64Array(n);
    this.chargerEnd = new Float64Array(n);
    this.weatherHash = streamHash(seed, SALT.weather, 0);

    points.forEach((point, i) => {
      assertPoint(point);
      const shapeHash = streamHash(seed, SALT.shape, point.key);
      this.dayHash[i] = streamHash(seed, SALT.day, point.key);
      this.noiseHash[i] = streamHash(seed, SALT.noise, point.key);
      // The profile carries the household; the charger's sessions are added on top.
      this.annualWh[i] = (point.annualConsumptionKwh - (point.homeCharger ? homeChargerAnnualKwh(point.homeCharger) : 0)) * 1000;
      if (point.homeCharger) {
        this.chargerKw[i] = point.homeCharger.powerKw;
        this.chargerStart[i] = point.homeCharger.startMinute;
        this.chargerEnd[i] = point.homeCharger.startMinute + point.homeCharger.durationMinutes;
      }
      this.importCapWh[i] = Math.floor(point.contractedPowerKva * 250);
      this.pvKwp[i] = point.pvCapacityKwp * (0.95 + 0.1 * unit(streamHash(seed, SALT.pv, point.key)));

      if (point.usage === 'EV_CHARGING') {
        const stationKw = point.contractedPowerKva > DC_STATION_ABOVE_KVA ? 50 : 22;
        const meanSessionKwh = (EV_SESSION_KWH[0] + EV_SESSION_KWH[1]) / 2;
        const meanSessions = Math.min(EV_SESSIONS_PER_DAY[1], Math.max(EV_SESSIONS_PER_DAY[0], point.annualConsumptionKwh / 365 / meanSessionKwh));
        this.ev[i] = new EvSessions(streamHash(seed, SALT.ev, point.key), stationKw, meanSessions);
        return;
      }
      const variation = VARIATION[point.usage];
      this.profileClass[i] = point.usage === 'PUBLIC_LIGHTING' ? IP : CLASS_INDEX[point.customerClass];
      const shiftQuarters = ((2 * unit(shapeHash) - 1) * variation.shiftMinutes) / 15;
      this.shiftWhole[i] = Math.floor(shiftQuarters);
      this.shiftFraction[i] = shiftQuarters - Math.floor(shiftQuarters);
      const [low, high] = variation.peakiness;
      this.peakiness[i] = low + (high - low) * unit(mix(shapeHash));
      this.dayLevel[i] = variation.dayLevel;
      this.noise[i] = variation.noise;
    });
  }

  reading(pointIndex: number, intervalStartMs: number): IntervalReading {
    return this.readingInto(pointIndex, intervalStartMs, { importWh: 0, exportWh: 0 });
  }

  readingInto(i: number, intervalStartMs: number, out: IntervalReading): IntervalReading {
    if (i >>> 0 !== i || i >= this.pointCount || intervalStartMs % QUARTER_MS !== 0) {
      throw new RangeError(`reading(${i}, ${intervalStartMs}): needs a point index below ${this.pointCount} and a UTC quarter-hour start`);
    }
    const q = intervalStartMs / QUARTER_MS;
    const utcDayNumber = floor(q / QUARTERS_PER_DAY);
    // lastUtcDay is set whenever lastUtcDayNumber is, so a match means it is defined.
    const day = utcDayNumber === this.lastUtcDayNumber ? (this.lastUtcDay as UtcDay) : this.utcDay(utcDayNumber);
    const utcSlot = q - utcDayNumber * QUARTERS_PER_DAY;
    let slot = utcSlot + (utcSlot < day.transitionSlot ? day.offsetBefore : day.offsetAfter);
    let local = day.today;
    if (slot >= QUARTERS_PER_DAY) {
      slot -= QUARTERS_PER_DAY;
      local = day.tomorrow;
    }

    let consumption: number;
    const ev = this.ev[i];
    if (ev) {
      ev.load(local.localDay);
      consumption = ev.energyWh(intervalStartMs);
    } else {
      const c = this.profileClass[i];
      const shape = local.profile.shapes[c];
      let at = slot - this.shiftWhole[i];
      if (at < 0) at += QUARTERS_PER_DAY;
      else if (at >= QUARTERS_PER_DAY) at -= QUARTERS_PER_DAY;
      const before = at === 0 ? QUARTERS_PER_DAY - 1 : at - 1;
      const shaped = shape[at] + this.shiftFraction[i] * (shape[before] - shape[at]);
      const peaked = MEAN_SHARE + this.peakiness[i] * (shaped - MEAN_SHARE);
      const dayFactor = 1 + this.dayLevel[i] * triangular(mix(this.dayHash[i] ^ local.hash));
      const noiseFactor = 1 + this.noise[i] * triangular(mix(this.noiseHash[i] ^ mix(q)));
      consumption = peaked > 0 ? this.annualWh[i] * local.profile.fraction[c] * peaked * dayFactor * noiseFactor : 0;
      const chargerKw = this.chargerKw[i];
      if (chargerKw > 0) {
        // Minutes of the session within this local quarter-hour.
        const overlap = min(slot * 15 + 15, this.chargerEnd[i]) - max(slot * 15, this.chargerStart[i]);
        if (overlap > 0) consumption += (chargerKw * overlap * 1000) / 60;
      }
    }

    const net = consumption - this.pvKwp[i] * day.pvWhPerKwp[utcSlot];
    if (net >= 0) {
      out.importWh = min(roundInt(net), this.importCapWh[i]);
      out.exportWh = 0;
    } else {
      out.importWh = 0;
      out.exportWh = roundInt(-net);
    }
    return out;
  }

  private utcDay(utcDayNumber: number): UtcDay {
    let day = this.utcDays.get(utcDayNumber);
    if (!day) {
      if (this.utcDays.size >= CACHE_LIMIT) this.utcDays.clear();
      const startMs = utcDayNumber * DAY_MS;
      const offsetBefore = lisbonOffsetMs(startMs) / QUARTER_MS;
      let transitionSlot = 0;
      while (transitionSlot < QUARTERS_PER_DAY && lisbonOffsetMs(startMs + transitionSlot * QUARTER_MS) / QUARTER_MS === offsetBefore) transitionSlot++;
      day = {
        transitionSlot,
        offsetBefore,
        offsetAfter: lisbonOffsetMs(startMs + DAY_MS - MINUTE_MS) / QUARTER_MS,
        today: this.localDay(utcDayNumber),
        tomorrow: this.localDay(utcDayNumber + 1),
        pvWhPerKwp: this.pvDay(utcDayNumber),
      };
      this.utcDays.set(utcDayNumber, day);
    }
    this.lastUtcDayNumber = utcDayNumber;
    this.lastUtcDay = day;
    return day;
  }

  private localDay(localDay: number): LocalDay {
    let day = this.localDays.get(localDay);
    if (!day) {
      if (this.localDays.size >= CACHE_LIMIT) this.localDays.clear();
      day = { profile: this.profiles.day(localDay), hash: mix(localDay), localDay };
      this.localDays.set(localDay, day);
    }
    return day;
  }

  /**
   * The day's weather is the parish's, not the point's: one cloudiness per day with the month's
   * mean clearness, and passing clouds per quarter-hour that matter more on a mixed day.
   */
  private pvDay(utcDayNumber: number): Float64Array {
    const { year, month } = civilDate(utcDayNumber);
    const dayOfYear = utcDayNumber - epochDay(year, 1, 1) + 1;
    const clearness = MONTHLY_CLEARNESS[month - 1];
    const spread = Math.min(1 - clearness, clearness - 0.2);
    const cloudiness = clearness + spread * (2 * unit(mix(this.weatherHash ^ mix(utcDayNumber))) - 1);
    const pv = new Float64Array(QUARTERS_PER_DAY);
    for (let slot = 0; slot < QUARTERS_PER_DAY; slot++) {
      const irradiance = clearSkyIrradiance(dayOfYear, quarterMidHours(slot));
      if (irradiance === 0) continue;
      const passing = 1 + 0.6 * (1 - cloudiness) * triangular(mix(this.weatherHash ^ mix(utcDayNumber * QUARTERS_PER_DAY + slot)));
      pv[slot] = irradiance * this.pvScale * cloudiness * passing;
    }
    return pv;
  }
}

function assertPoint(point: CurvePoint): void {
  const problem =
    !Number.isSafeInteger(point.key) ? 'key must be a safe integer'
    : point.usage !== 'EV_CHARGING' && !(point.usage in VARIATION) ? `unknown usage ${String(point.usage)}`
    : !(point.customerClass in CLASS_INDEX) ? `unknown customer class ${String(point.customerClass)}`
    : !(point.annualConsumptionKwh >= 0) ? 'annualConsumptionKwh must be >= 0'
    : !(point.pvCapacityKwp >= 0) ? 'pvCapacityKwp must be >= 0'
    : !(point.contractedPowerKva > 0) ? 'contractedPowerKva must be > 0'
    : undefined;
  const charger = point.homeCharger;
  const chargerProblem =
    !charger ? undefined
    : point.usage === 'EV_CHARGING' ? 'a charging station has no home charger'
    : !(charger.powerKw > 0) ? 'homeCharger.powerKw must be > 0'
    : !(charger.startMinute >= 0 && charger.durationMinutes > 0 && charger.startMinute + charger.durationMinutes <= 1440) ? 'a home charging session must lie within one local day'
    : !(homeChargerAnnualKwh(charger) <= point.annualConsumptionKwh) ? "annualConsumptionKwh must include the home charger's energy"
    : undefined;
  if (problem ?? chargerProblem) throw new RangeError(`curve point ${point.key}: ${problem ?? chargerProblem}`);
}

/**
 * A generator of 15-minute readings for `points` (index = position in the array). Pass the
 * parish's seed: the same points and seed give the same readings, in any order of calls.
 *
 * importWh = max(0, consumption − PV) and exportWh = max(0, PV − consumption), whole Wh;
 * importWh never exceeds the contracted power (kVA taken as kW) over 15 minutes. EV_CHARGING
 * points are 22 kW AC stations (50 kW DC above 41.4 kVA) with 3-8 sessions a day of 7-50 kWh;
 * PUBLIC_LIGHTING follows the IP profile; every other point its class profile, plus its home
 * charger's evening session if it has one.
 */
export function createCurveGenerator(points: readonly CurvePoint[], seed = 0): CurveGenerator {
  return new LoadCurveGenerator(points, seed);
}

// ---------------------------------------------------------------------------------------------
// Secondary substations (DTC)

export type Triple = [number, number, number];

export interface SubstationInput {
  ratedPowerKva: number;
  /** Net active energy (import − export, Wh) of the meters under the substation, per phase A, B, C, for the interval. */
  phaseEnergyWh: readonly [number, number, number];
  /** Unique integer per substation: keys its noise. */
  key: number;
  /** UTC ms of the interval start (quarter-hour). */
  intervalStartMs: number;
}

export interface SubstationMeasurement {
  activePowerKw: Triple;
  reactivePowerKvar: Triple;
  voltageV: Triple;
}

const PHASE_INDEX = { A: 0, B: 1, C: 2 } as const;

/** Adds a meter's net energy to per-phase totals; a three-phase meter ('ABC') counts a third on each phase. */
export function addToPhases(totals: Triple, phase: 'A' | 'B' | 'C' | 'ABC', netWh: number): void {
  if (phase === 'ABC') {
    const third = netWh / 3;
    totals[0] += third;
    totals[1] += third;
    totals[2] += third;
  } else {
    totals[PHASE_INDEX[phase]] += netWh;
  }
}

const NOMINAL_V = 230;
const V_MIN = 207;
const V_MAX = 253;
const round = (value: number, decimals: number): number => {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
};

/**
 * The substation's LV busbar at no load, per unit: its transformer's tap setting (+1 to +3 %) with
 * the MV at its nominal level. The DTC measurements and the network model's MV source share it.
 */
export function busbarSetPointPu(key: number, seed = 0): number {
  return 1.01 + 0.02 * unit(streamHash(seed, SALT.substation, key));
}

/**
 * What the transformer's DTC measures for one interval, consistent with the meters downstream:
 * per phase, their mean power plus 2-4 % network losses (more under load), reactive power at a
 * power factor of 0.95-0.97 lagging, and the busbar voltage: the substation's tap setting
 * (+1 to +3 %), the MV level shared by the parish, minus a drop proportional to the phase's
 * loading (a rise under reverse flow), within the EN 50160 band of 207-253 V.
 */
export function substationMeasurement(input: SubstationInput, seed = 0): SubstationMeasurement {
  const q = input.intervalStartMs / QUARTER_MS;
  const intervalHash = mix(streamHash(seed, SALT.substation, input.key) ^ mix(q));
  const mvLevel = 0.005 * triangular(mix(streamHash(seed, SALT.mediumVoltage, 0) ^ mix(q)));
  const tap = busbarSetPointPu(input.key, seed);
  const phaseRatingKva = input.ratedPowerKva / 3;

  const result: SubstationMeasurement = { activePowerKw: [0, 0, 0], reactivePowerKvar: [0, 0, 0], voltageV: [0, 0, 0] };
  for (let phase = 0; phase < 3; phase++) {
    const h = mix(intervalHash + phase);
    const metersKw = (input.phaseEnergyWh[phase] * 4) / 1000;
    const loading = Math.abs(metersKw) / phaseRatingKva;
    const losses = 0.02 + 0.015 * Math.min(1, loading) + 0.005 * ((h & 0xffff) / 0x10000);
    const activeKw = metersKw + Math.abs(metersKw) * losses;
    const powerFactor = 0.95 + 0.02 * ((h >>> 16) / 0x10000);
    const reactiveKvar = Math.abs(activeKw) * Math.tan(Math.acos(powerFactor));
    const signedLoading = activeKw / powerFactor / phaseRatingKva;
    const volts = NOMINAL_V * (tap + mvLevel - 0.035 * signedLoading) + 0.5 * triangular(mix(h));
    result.activePowerKw[phase] = round(activeKw, 3);
    result.reactivePowerKvar[phase] = round(reactiveKvar, 3);
    result.voltageV[phase] = round(Math.min(V_MAX, Math.max(V_MIN, volts)), 1);
  }
  return result;
}
