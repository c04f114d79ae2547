import { DSO_ORGANISATION_ID, type Role } from '../../schema/identity';
import type { PricedPeriod, TariffCycle, TariffKind } from '../../schema/tariffs';
import type {
  evChargingStations,
  flexRequestIsps,
  flexRequestRecipients,
  flexRequests,
  hemsSystems,
  meteringPoints,
  organisations,
  primarySubstations,
  supplyContracts,
  pilotEnrolments,
  tariffAssignments,
  tariffSchemePrices,
  tariffSchemes,
} from '../../schema/tables';
import { cableLineCodes, type LineCodeRow } from './equipment';
import { drawChargingSession, drawDevices, drawFlexibleLoads, drawSharing, type ConsentRow, type FlexibleLoadRow, type HemsDeviceRow } from './hems';
import { homeChargerAnnualKwh, type HomeCharger } from './load-curves';
import { generateTopology, type BusRow, type ConnectionRow, type FeederRow, type LineSegmentRow, type SecondarySubstationRow } from './topology';

export type { BusRow, ConnectionRow, FeederRow, LineCodeRow, LineSegmentRow, SecondarySubstationRow };
export type OrganisationRow = typeof organisations.$inferSelect;
export type PrimarySubstationRow = typeof primarySubstations.$inferSelect;
export type MeteringPointRow = typeof meteringPoints.$inferSelect;
export type SupplyContractRow = typeof supplyContracts.$inferSelect;
export type EvChargingStationRow = typeof evChargingStations.$inferSelect;
export type TariffSchemeRow = typeof tariffSchemes.$inferSelect;
export type TariffSchemePriceRow = typeof tariffSchemePrices.$inferSelect;
export type TariffAssignmentRow = typeof tariffAssignments.$inferSelect;
export type PilotEnrolmentRow = typeof pilotEnrolments.$inferSelect;
export type HemsSystemRow = typeof hemsSystems.$inferSelect;
export type { ConsentRow, FlexibleLoadRow, HemsDeviceRow };
export type FlexRequestRow = typeof flexRequests.$inferSelect;
export type FlexRequestIspRow = typeof flexRequestIsps.$inferSelect;
export type FlexRequestRecipientRow = typeof flexRequestRecipients.$inferSelect;

/**
 * The feeder seeded to be congested every evening: home chargers behind some of its meters (which
 * the hub sees only through their readings) overload its thin end and pull its voltage below
 * EN 50160's 207 V. Not a table: what the history generator and the tests need to know.
 */
export interface SeededCongestion {
  feederId: string;
  secondarySubstationId: string;
  homeChargers: { meteringPointId: string; charger: HomeCharger }[];
}

/**
 * Every row of a synthetic parish, table by table; `$inferSelect` so no column is left to a
 * database default. And the congestion it was seeded with.
 */
export interface Parish {
  organisations: OrganisationRow[];
  primarySubstations: PrimarySubstationRow[];
  secondarySubstations: SecondarySubstationRow[];
  feeders: FeederRow[];
  lineCodes: LineCodeRow[];
  buses: BusRow[];
  lineSegments: LineSegmentRow[];
  meteringPoints: MeteringPointRow[];
  supplyContracts: SupplyContractRow[];
  connections: ConnectionRow[];
  evChargingStations: EvChargingStationRow[];
  /** The schemes customers are on today (published version 1 each) and their prices. */
  tariffSchemes: TariffSchemeRow[];
  tariffSchemePrices: TariffSchemePriceRow[];
  /** Each point's schemes over time: from the start of its current supply contract, and the pilot's from its start. */
  tariffAssignments: TariffAssignmentRow[];
  /** The dynamic-tariff pilot's households, both acceptances recorded, on the critical-peak scheme since PILOT_START. */
  pilotEnrolments: PilotEnrolmentRow[];
  hemsSystems: HemsSystemRow[];
  hemsDevices: HemsDeviceRow[];
  /** The customers' conditions for their controllable devices. */
  flexibleLoads: FlexibleLoadRow[];
  /** HEMS shared with the customer's retailer: hems:read consents (hub.consents). */
  hemsSharing: ConsentRow[];
  /** Every car charged at home, by metering point: the congested feeder's and the HEMS households' own; in their load curves. */
  homeChargers: Map<string, HomeCharger>;
  /** Evening-peak requests on the most loaded substations: the earlier closed (their period ended), the later open in the days after the seeding. */
  flexRequests: FlexRequestRow[];
  flexRequestIsps: FlexRequestIspRow[];
  /** The retailers supplying the points behind each request's substation (the seed holds no aggregator consents). */
  flexRequestRecipients: FlexRequestRecipientRow[];
  /** Null in a parish too small to have a feeder with enough households. */
  congestion: SeededCongestion | null;
}

export interface ParishOptions {
  customers: number;
  seed?: number;
  /** When the parish is seeded (default now): only its UTC day counts, so the open flexibility requests lie in the days after it. */
  nowMs?: number;
}

export const DEFAULT_SEED = 20_151_016;

/**
 * The demo parish's congested feeder and its substation (DEFAULT_SEED, 14,000 customers: what
 * `npm start` seeds; README.md's demo section). Other parishes name theirs in Parish.congestion.
 */
export const CONGESTED_FEEDER_ID = 'PT0598-F3';
export const CONGESTED_SECONDARY_SUBSTATION_ID = 'PT0598';

// ---------------------------------------------------------------------------------------------
// Randomness

/** A seeded PRNG (mulberry32): Math.random cannot be seeded, and the seed must reproduce the parish. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** Inclusive of both ends. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  range(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    // Index loops, not destructuring iterators: this runs several times per customer.
    let total = 0;
    for (let i = 0; i < choices.length; i++) total += choices[i][1];
    let r = this.next() * total;
    for (let i = 0; i < choices.length - 1; i++) {
      r -= choices[i][1];
      if (r < 0) return choices[i][0];
    }
    return choices[choices.length - 1][0];
  }
}

/**
 * One independent stream per concern, so that a change to how (say) HEMS are drawn does not
 * reshuffle the grid or the customers of an existing seed.
 */
export function stream(seed: number, concern: number): Random {
  return new Random(seed ^ Math.imul(concern + 1, 0x9e3779b9));
}

const round = (value: number, decimals: number): number => {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
};

// ---------------------------------------------------------------------------------------------
// Time: rows carry instants, but the business meaning (a contract from a day, a peak at 18:00)
// is Lisbon local time, which follows EU summer time.

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

const epochDay = (year: number, month: number, day: number): number => Date.UTC(year, month - 1, day) / DAY_MS;
const epochDayOf = (date: Date): number => Math.floor(date.getTime() / DAY_MS);

/** 01:00 UTC on the last Sunday of `month`: when the EU switches summer time on or off. */
function lastSundayOneAm(year: number, month: number): number {
  const lastDay = Date.UTC(year, month, 0);
  return lastDay - new Date(lastDay).getUTCDay() * DAY_MS + HOUR_MS;
}

/** The instant of a Lisbon wall-clock time on `day` (days since 1970-01-01). */
function lisbon(day: number, hour = 0, minute = 0): Date {
  const wall = day * DAY_MS + hour * HOUR_MS + minute * 60_000;
  const year = new Date(wall).getUTCFullYear();
  const asSummer = wall - HOUR_MS;
  const summer = asSummer >= lastSundayOneAm(year, 3) && asSummer < lastSundayOneAm(year, 10);
  return new Date(summer ? asSummer : wall);
}

const CONTRACTS_FIRST_DAY = epochDay(2019, 1, 1);
const CONTRACTS_LAST_DAY = epochDay(2023, 12, 31);
const SWITCH_LAST_DAY = epochDay(2024, 6, 30);
const HEMS_FIRST_DAY = epochDay(2021, 1, 1);
const HEMS_LAST_DAY = epochDay(2024, 12, 31);
/** A winter week (Monday 13 January 2025): the evening peak is a winter problem in Lisbon. */
const FLEX_WEEK_FIRST_DAY = epochDay(2025, 1, 13);

// ---------------------------------------------------------------------------------------------
// Reference data

interface Retailer {
  id: string;
  name: string;
  share: number;
}

const RETAILERS: readonly Retailer[] = [
  { id: 'ret-edpc', name: 'EDP Comercial', share: 45 },
  { id: 'ret-endesa', name: 'Endesa Energia', share: 25 },
  { id: 'ret-goldenergy', name: 'Goldenergy', share: 18 },
  { id: 'ret-luzboa', name: 'Luzboa', share: 12 },
];

const DSO: OrganisationRow = { id: DSO_ORGANISATION_ID, name: 'E-REDES (DSO)', kind: 'dso' satisfies Role };

const OTHER_ORGANISATIONS: readonly { id: string; name: string; kind: Role }[] = [
  { id: 'agg-flexpt', name: 'FlexPT Agregação', kind: 'aggregator' },
  { id: 'erse', name: 'ERSE – Entidade Reguladora dos Serviços Energéticos', kind: 'regulator' },
  { id: 'ren', name: 'REN – Redes Energéticas Nacionais', kind: 'tso' },
  { id: 'ist', name: 'Instituto Superior Técnico, Universidade de Lisboa', kind: 'researcher' },
  { id: 'dev-sandbox', name: 'Developer Sandbox', kind: 'developer' },
];

const PRIMARY_SUBSTATIONS: readonly PrimarySubstationRow[] = [
  { id: 'SE-ALVALADE', name: 'SE Alvalade' },
  { id: 'SE-CAMPO-GRANDE', name: 'SE Campo Grande' },
];

/** Neighbourhoods of the parish, used to name transformer stations (PT, posto de transformação). */
const NEIGHBOURHOODS = [
  'Alvalade',
  'Av. de Roma',
  'Av. da Igreja',
  'Bairro de São Miguel',
  'Bairro das Estacas',
  'Campo Grande',
  'Entrecampos',
  'Av. do Brasil',
  'Av. Rio de Janeiro',
  'Av. dos EUA',
  'Bairro do Relógio',
  'Hospital Júlio de Matos',
] as const;

/** Lisbon streets with public charging (MOBI.E) in and around the parish. */
const EV_STREETS = [
  'Av. de Roma',
  'Av. da Igreja',
  'Praça de Alvalade',
  'Av. Rio de Janeiro',
  'Av. dos EUA',
  'Av. do Brasil',
  'Rua Marquesa de Alorna',
  'Av. Gago Coutinho',
  'Campo Grande',
  'Rua Luís Augusto Palmeirim',
  'Av. Afonso Costa',
  'Rua Conde de Arnoso',
  'Av. Santa Joana Princesa',
  'Rua Acácio de Paiva',
  'Av. Almirante Gago Coutinho',
  'Rua Dr. Mário Moutinho',
] as const;

type Usage = 'RESIDENTIAL' | 'COMMERCIAL' | 'EV_CHARGING' | 'PUBLIC_LIGHTING';

/** E-REDES standard powers (kVA), weighted by how common they are for each use. */
const POWER_BY_USAGE: Record<Exclude<Usage, 'EV_CHARGING'>, readonly (readonly [number, number])[]> = {
  RESIDENTIAL: [
    [3.45, 22],
    [4.6, 18],
    [5.75, 10],
    [6.9, 28],
    [10.35, 12],
    [13.8, 6],
    [17.25, 2.5],
    [20.7, 1.5],
  ],
  COMMERCIAL: [
    [6.9, 12],
    [10.35, 17],
    [13.8, 18],
    [17.25, 13],
    [20.7, 11],
    [27.6, 9],
    [34.5, 7],
    [41.4, 7],
    [50, 4],
    [69, 2],
  ],
  PUBLIC_LIGHTING: [
    [3.45, 30],
    [6.9, 40],
    [10.35, 20],
    [13.8, 10],
  ],
};

/** Annual kWh per contracted kVA, before a per-customer spread of 0.6..1.5. */
function annualConsumption(usage: Usage, kva: number, random: Random): number {
  const spread = random.range(0.6, 1.5);
  switch (usage) {
    case 'RESIDENTIAL':
      return Math.round((700 + 320 * kva) * spread);
    case 'COMMERCIAL':
      return Math.round(1_200 * kva * spread);
    case 'EV_CHARGING':
      return Math.round(900 * kva * spread);
    case 'PUBLIC_LIGHTING':
      // Lamps burn about 4,200 h a year, close to their contracted power.
      return Math.round(2_500 * kva * random.range(0.9, 1.1));
  }
}

/** The E-REDES standard powers a household contracts, smallest first. */
export const RESIDENTIAL_POWERS_KVA: readonly number[] = POWER_BY_USAGE.RESIDENTIAL.map(([kva]) => kva);

/** E-REDES profile classes: A above 13.8 kVA; at or below, B above 7,140 kWh a year, else C. */
export const customerClass = (kva: number, annualKwh: number): string => (kva > 13.8 ? 'BTN_A' : annualKwh > 7_140 ? 'BTN_B' : 'BTN_C');

const PV_SHARE: Record<Usage, number> = { RESIDENTIAL: 0.08, COMMERCIAL: 0.1, EV_CHARGING: 0, PUBLIC_LIGHTING: 0 };
const SWITCH_SHARE = 0.05;
const EV_STATIONS = 16;

type PlanId = 'TP-SIMPLES' | 'TP-BI-DIARIO' | 'TP-BI-SEMANAL' | 'TP-TRI-SEMANAL' | 'TP-PILOTO-PC';

/**
 * Regulated-level 2024 BTN prices (access tariffs plus energy, before VAT), EUR. The power term is
 * per kVA and day: about 0.36 EUR/day for a 6.9 kVA contract.
 */
const TARIFF_PLANS: readonly { id: PlanId; name: string; kind: TariffKind; cycle: TariffCycle | null; energyEurPerKwh: Partial<Record<PricedPeriod, number>>; powerEurPerKvaDay: number }[] = [
  { id: 'TP-SIMPLES', name: 'Tarifa simples', kind: 'FLAT', cycle: null, energyEurPerKwh: { all: 0.1658 }, powerEurPerKvaDay: 0.0517 },
  { id: 'TP-BI-DIARIO', name: 'Bi-horária, ciclo diário', kind: 'TIME_OF_USE', cycle: 'DAILY', energyEurPerKwh: { fora_vazio: 0.2013, vazio: 0.1036 }, powerEurPerKvaDay: 0.0529 },
  { id: 'TP-BI-SEMANAL', name: 'Bi-horária, ciclo semanal', kind: 'TIME_OF_USE', cycle: 'WEEKLY', energyEurPerKwh: { fora_vazio: 0.1987, vazio: 0.1041 }, powerEurPerKvaDay: 0.0529 },
  {
    id: 'TP-TRI-SEMANAL',
    name: 'Tri-horária, ciclo semanal',
    kind: 'TIME_OF_USE',
    cycle: 'WEEKLY',
    energyEurPerKwh: { ponta: 0.2609, cheias: 0.1626, vazio_normal: 0.1043, super_vazio: 0.0987 },
    powerEurPerKvaDay: 0.0546,
  },
];

/**
 * The demo's dynamic-tariff pilot, as UPGRID ran one: a few residential households, with their own
 * and their retailer's acceptance, moved to a critical-peak scheme (three-rate daily base) on a
 * fixed day, so every demo has the same pilot and its bills before and after.
 */
const PILOT_SCHEME = {
  id: 'TP-PILOTO-PC',
  name: 'Piloto: ponta crítica, ciclo diário',
  kind: 'CRITICAL_PEAK',
  cycle: 'DAILY',
  energyEurPerKwh: { ponta: 0.3012, cheias: 0.1701, vazio: 0.1009, critical_peak: 0.6024 },
  powerEurPerKvaDay: 0.0529,
} as const;
const PILOT_SHARE = 0.015;
const PILOT_START_DAY = epochDay(2026, 10, 1);

/** PILOT_SHARE of the residential points supplied since before PILOT_START_DAY, moved to the pilot scheme on that day. */
function drawPilot(points: readonly MeteringPointRow[], assignments: readonly TariffAssignmentRow[], random: Random): { assignments: TariffAssignmentRow[]; enrolments: PilotEnrolmentRow[] } {
  const startsAt = lisbon(PILOT_START_DAY);
  const usageOf = new Map(points.map((point) => [point.id, point]));
  const enrolments: PilotEnrolmentRow[] = [];
  const result: TariffAssignmentRow[] = [];
  for (const assignment of assignments) {
    const point = usageOf.get(assignment.meteringPointId)!;
    if (point.usage !== 'RESIDENTIAL' || assignment.validFrom >= startsAt || !random.chance(PILOT_SHARE)) {
      result.push(assignment);
      continue;
    }
    result.push({ ...assignment, validTo: startsAt }, { meteringPointId: point.id, schemeId: PILOT_SCHEME.id, validFrom: startsAt, validTo: null });
    enrolments.push({
      id: `PE-${String(enrolments.length + 1).padStart(5, '0')}`,
      meteringPointId: point.id,
      schemeId: PILOT_SCHEME.id,
      retailerId: point.retailerId,
      startsAt,
      customerAcceptedAt: lisbon(PILOT_START_DAY - 20, 10),
      retailerAcceptedAt: lisbon(PILOT_START_DAY - 14, 15),
      endsAt: null,
      withdrawnBy: null,
      withdrawnAt: null,
      createdAt: lisbon(PILOT_START_DAY - 20, 10),
    });
  }
  return { assignments: result, enrolments };
}

/** The plans as published version 1 of their schemes, valid since the first contracts began, and their typed prices. */
function tariffSchemeRows(): { schemes: TariffSchemeRow[]; prices: TariffSchemePriceRow[] } {
  const publishedAt = lisbon(CONTRACTS_FIRST_DAY);
  const nano = (eur: number) => Math.round(eur * 1e9);
  return {
    schemes: [...TARIFF_PLANS, PILOT_SCHEME].map((plan) => ({
      id: plan.id,
      family: plan.id,
      version: 1,
      name: plan.name,
      kind: plan.kind,
      cycle: plan.cycle,
      status: 'PUBLISHED',
      powerPriceNanoEurPerKvaDay: nano(plan.powerEurPerKvaDay),
      validFrom: plan === PILOT_SCHEME ? '2026-10-01' : '2019-01-01',
      validTo: null,
      createdAt: publishedAt,
      publishedAt,
    })),
    prices: [...TARIFF_PLANS, PILOT_SCHEME].flatMap((plan) =>
      Object.entries(plan.energyEurPerKwh).map(([period, eur]) => ({ schemeId: plan.id, period: period as PricedPeriod, energyPriceNanoEurPerKwh: nano(eur) })),
    ),
  };
}

const PLAN_BY_USAGE: Record<Usage, readonly (readonly [PlanId, number])[]> = {
  RESIDENTIAL: [
    ['TP-SIMPLES', 55],
    ['TP-BI-DIARIO', 25],
    ['TP-BI-SEMANAL', 12],
    ['TP-TRI-SEMANAL', 8],
  ],
  COMMERCIAL: [
    ['TP-SIMPLES', 35],
    ['TP-BI-DIARIO', 25],
    ['TP-BI-SEMANAL', 20],
    ['TP-TRI-SEMANAL', 20],
  ],
  // Charging and street lighting run mostly off-peak, where time-of-use pays.
  EV_CHARGING: [
    ['TP-BI-SEMANAL', 50],
    ['TP-TRI-SEMANAL', 50],
  ],
  PUBLIC_LIGHTING: [['TP-BI-DIARIO', 1]],
};

/** How the HEMS reach their devices and the retailers' platforms. */
const HEMS_PROTOCOL_SHARES = [
  ['MQTT', 40],
  ['EEBUS', 30],
  ['MODBUS_TCP', 20],
  ['OPENADR', 10],
] as const;

const HEMS_VENDORS = [
  ['Cleanwatts', 45],
  ['Siemens', 30],
  ['Schneider', 25],
] as const;


const PHASES = ['A', 'B', 'C'] as const;

/** The congested feeder's home chargers (single-phase 32 A wallboxes), and its households without one at least. */
const HOME_CHARGERS = 12;
const OTHER_HOUSEHOLDS = 6;
const HOME_CHARGER_KW = 7.4;
/** Of the congested feeder's car owners, the first ten have a HEMS (or keep the one they had). */
const CONGESTED_HEMS = 10;
/** 45 A at 230 V: room for the wallbox and the house. */
const HOME_CHARGER_CONTRACT_KVA = 10.35;

/** After diversity, the share of contracted power a substation sees at the evening peak. */
const PEAK_COINCIDENCE = 0.3;
const FLEX_REQUESTS = 10;

// ---------------------------------------------------------------------------------------------
// Generation

/** The Iberian CUPS control letters (mod 529), so that ids look like real CPEs. */
const CONTROL_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

function cpe(serial: number): string {
  const r = (2_000_000_000_000 + serial) % 529;
  return `PT0002${String(serial).padStart(12, '0')}${CONTROL_LETTERS.charAt(Math.floor(r / 23))}${CONTROL_LETTERS.charAt(r % 23)}`;
}

interface Grid {
  secondarySubstations: SecondarySubstationRow[];
  feeders: FeederRow[];
  feedersBySubstation: FeederRow[][];
  /** Running sums of rated power, to place customers in proportion to transformer size. */
  cumulativeKva: number[];
}

function generateGrid(customers: number, random: Random): Grid {
  const count = Math.max(PRIMARY_SUBSTATIONS.length, Math.round(customers / 65));
  const secondary: SecondarySubstationRow[] = [];
  const feederRows: FeederRow[] = [];
  const feedersBySubstation: FeederRow[][] = [];
  const cumulativeKva: number[] = [];
  let code = 400;
  let kvaSoFar = 0;
  for (let i = 0; i < count; i++) {
    code += random.int(1, 3);
    const number = String(code).padStart(4, '0');
    // First half south of 38.75 N on one primary, second half north on the other: every primary gets one.
    const north = i >= count / 2;
    const ratedPowerKva = random.weighted([
      [250, 30],
      [400, 40],
      [630, 30],
    ] as const);
    const name = `PT ${number} ${random.pick(NEIGHBOURHOODS)}`;
    const substation: SecondarySubstationRow = {
      id: `PT${number}`,
      name,
      primarySubstationId: PRIMARY_SUBSTATIONS[north ? 1 : 0].id,
      ratedPowerKva,
      latitude: round(random.range(north ? 38.75 : 38.74, north ? 38.76 : 38.75), 5),
      longitude: round(random.range(-9.15, -9.13), 5),
      // The network model is drawn later, from a stream of its own (see generateTopology).
      transformerPrimaryKv: null,
      transformerSecondaryKv: null,
      transformerConnection: null,
      transformerResistancePercent: null,
      transformerReactancePercent: null,
      sourceVoltageKv: null,
      sourceVoltagePu: null,
      sourceIsc3A: null,
      sourceIsc1A: null,
      sourceX1R1: null,
      sourceX0R0: null,
      lvBusId: null,
    };
    secondary.push(substation);
    const feederCount = ratedPowerKva === 250 ? random.int(2, 3) : ratedPowerKva === 400 ? random.int(3, 4) : random.int(4, 6);
    const own: FeederRow[] = [];
    for (let f = 1; f <= feederCount; f++) {
      own.push({ id: `${substation.id}-F${f}`, name: `${name}, saída ${f}`, secondarySubstationId: substation.id });
    }
    feederRows.push(...own);
    feedersBySubstation.push(own);
    kvaSoFar += ratedPowerKva;
    cumulativeKva.push(kvaSoFar);
  }
  return { secondarySubstations: secondary, feeders: feederRows, feedersBySubstation, cumulativeKva };
}

function substationIndexFor(grid: Grid, random: Random): number {
  const target = random.next() * grid.cumulativeKva[grid.cumulativeKva.length - 1];
  let lo = 0;
  let hi = grid.cumulativeKva.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (grid.cumulativeKva[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function drawUsage(random: Random): Exclude<Usage, 'EV_CHARGING'> {
  return random.weighted([
    ['RESIDENTIAL', 88.6],
    ['COMMERCIAL', 11],
    ['PUBLIC_LIGHTING', 0.4],
  ] as const);
}

function drawPv(kva: number, random: Random): number {
  // Self-consumption installations rarely exceed the contracted power.
  const cap = Math.max(1.5, Math.min(6, Math.floor(kva * 2) / 2));
  return random.int(3, cap * 2) / 2;
}

/** Controllable devices of the given kinds, numbered after the HEMS's `existing` ones. */
function addDevices(hemsId: string, kinds: { kind: HemsDeviceRow['kind']; ratedPowerKw: number }[], existing: number): HemsDeviceRow[] {
  return kinds.map(({ kind, ratedPowerKw }, i) => ({ id: `${hemsId}-D${existing + i + 1}`, hemsId, kind, ratedPowerKw, controllable: true, state: null, powerKw: null, stateAt: null }));
}

/** A synthetic, deterministic Lisbon parish: the same options always give the same rows. */
export function generateParish(options: ParishOptions): Parish {
  const { customers, seed = DEFAULT_SEED, nowMs = Date.now() } = options;
  if (!Number.isInteger(customers) || customers < 1) throw new RangeError(`customers must be a positive integer, got ${customers}`);
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);

  const grid = generateGrid(customers, stream(seed, 0));
  const pointsRandom = stream(seed, 1);
  const contractsRandom = stream(seed, 2);
  const hemsRandom = stream(seed, 3);
  const flexRandom = stream(seed, 4);
  const topologyRandom = stream(seed, 5);
  const congestionRandom = stream(seed, 6);
  const pilotRandom = stream(seed, 7);

  const evCount = Math.min(EV_STATIONS, Math.floor(customers / 10));
  const retailerChoices = RETAILERS.map((r) => [r.id, r.share] as const);
  const serials = new Set<number>();
  const phaseCursor = new Map<string, number>();
  const substationKva = new Array<number>(grid.secondarySubstations.length).fill(0);

  const points: MeteringPointRow[] = [];
  const contracts: SupplyContractRow[] = [];
  const connectionRows: ConnectionRow[] = [];
  const evStations: EvChargingStationRow[] = [];
  const assignments: TariffAssignmentRow[] = [];
  const hemsRows: HemsSystemRow[] = [];
  const deviceRows: HemsDeviceRow[] = [];
  const loadRows: FlexibleLoadRow[] = [];
  const sharing: ConsentRow[] = [];
  const homeChargers = new Map<string, HomeCharger>();
  const addHems = (pointIndex: number, since: Date, hemsDevices: (hemsId: string) => HemsDeviceRow[]): HemsDeviceRow[] => {
    const point = points[pointIndex]!;
    const hemsId = `HEMS-${String(hemsRows.length + 1).padStart(5, '0')}`;
    const installedAt = lisbon(hemsRandom.int(Math.max(epochDayOf(since), HEMS_FIRST_DAY), HEMS_LAST_DAY), 10);
    hemsRows.push({ id: hemsId, meteringPointId: point.id, vendor: hemsRandom.weighted(HEMS_VENDORS), protocol: hemsRandom.weighted(HEMS_PROTOCOL_SHARES), installedAt, online: false, lastSeenAt: null, lastReportKeyId: null });
    const drawn = hemsDevices(hemsId);
    deviceRows.push(...drawn);
    loadRows.push(...drawFlexibleLoads(drawn, installedAt, hemsRandom));
    const shared = drawSharing(point.id, point.retailerId, installedAt, hemsRandom);
    if (shared) sharing.push(shared);
    return drawn;
  };
  /** The point's yearly energy takes in its car's session (instead of the one it had, if any). */
  const withCharger = (pointIndex: number, session: HomeCharger, previous: HomeCharger | null): void => {
    const before = points[pointIndex]!;
    const annualConsumptionKwh = Math.round(before.annualConsumptionKwh + homeChargerAnnualKwh(session) - (previous ? homeChargerAnnualKwh(previous) : 0));
    points[pointIndex] = { ...before, annualConsumptionKwh, customerClass: customerClass(before.contractedPowerKva, annualConsumptionKwh) };
  };

  for (let i = 0; i < customers; i++) {
    let serial: number;
    do serial = pointsRandom.int(0, 999_999) * 1_000_000 + pointsRandom.int(0, 999_999);
    while (serials.has(serial));
    serials.add(serial);
    const id = cpe(serial);

    const evIndex = i - (customers - evCount);
    let usage: Usage;
    let kva: number;
    if (evIndex >= 0) {
      usage = 'EV_CHARGING';
      kva = pointsRandom.chance(0.25) ? 50 : 41.4;
    } else {
      usage = drawUsage(pointsRandom);
      kva = pointsRandom.weighted(POWER_BY_USAGE[usage]);
    }
    const pvCapacityKwp = pointsRandom.chance(PV_SHARE[usage]) ? drawPv(kva, pointsRandom) : 0;
    const retailerId = pointsRandom.weighted(retailerChoices);
    const annualConsumptionKwh = annualConsumption(usage, kva, pointsRandom);
    points.push({
      id,
      key: i + 1,
      customerClass: customerClass(kva, annualConsumptionKwh),
      usage,
      contractedPowerKva: kva,
      pvCapacityKwp,
      annualConsumptionKwh,
      retailerId,
    });

    if (evIndex >= 0) {
      evStations.push({
        id: `EV-${String(evIndex + 1).padStart(2, '0')}`,
        name: `MOBI.E ${EV_STREETS[evIndex % EV_STREETS.length]}`,
        meteringPointId: id,
        maxPowerKw: kva === 50 ? 50 : 22,
      });
    }

    const substation = substationIndexFor(grid, pointsRandom);
    substationKva[substation] += kva;
    const feeder = pointsRandom.pick(grid.feedersBySubstation[substation]);
    let phase = 'ABC';
    if (kva <= 13.8) {
      // Rotating per feeder, from a random start, is how crews balance single-phase customers.
      const cursor = phaseCursor.get(feeder.id) ?? pointsRandom.int(0, 2);
      phase = PHASES[cursor % 3];
      phaseCursor.set(feeder.id, cursor + 1);
    }
    connectionRows.push({ meteringPointId: id, feederId: feeder.id, phase, busId: null });

    const startDay = contractsRandom.int(CONTRACTS_FIRST_DAY, CONTRACTS_LAST_DAY);
    let currentFrom = lisbon(startDay);
    if (contractsRandom.chance(SWITCH_SHARE)) {
      const previous = contractsRandom.weighted(retailerChoices.filter(([r]) => r !== retailerId));
      const switchDay = contractsRandom.int(startDay + 90, SWITCH_LAST_DAY);
      const switchedAt = lisbon(switchDay);
      contracts.push({ meteringPointId: id, retailerId: previous, validFrom: currentFrom, validTo: switchedAt });
      currentFrom = switchedAt;
    }
    contracts.push({ meteringPointId: id, retailerId, validFrom: currentFrom, validTo: null });
    assignments.push({ meteringPointId: id, schemeId: contractsRandom.weighted(PLAN_BY_USAGE[usage]), validFrom: currentFrom, validTo: null });

    // PV owners adopt home energy management far more often than other households.
    if (usage === 'RESIDENTIAL' && hemsRandom.chance(pvCapacityKwp > 0 ? 0.25 : 0.045)) {
      const drawn = addHems(i, currentFrom, (hemsId) => drawDevices(hemsId, pvCapacityKwp, kva, hemsRandom));
      const charger = drawn.find((device) => device.kind === 'EV_CHARGER');
      if (charger) {
        const session = drawChargingSession(charger, hemsRandom);
        homeChargers.set(id, session);
        withCharger(i, session, null);
      }
    }
  }

  const congestion = seedCongestion(grid, points, connectionRows, congestionRandom);
  const pointIndex = new Map(points.map((p, i) => [p.id, i]));
  if (congestion) {
    const substation = grid.secondarySubstations.findIndex((s) => s.id === congestion.secondarySubstationId);
    for (const [n, { meteringPointId, charger }] of congestion.homeChargers.entries()) {
      const i = pointIndex.get(meteringPointId)!;
      const before = points[i]!;
      // A 7.4 kW wallbox needs a bigger contract than most houses have: its owner raised it.
      const contractedPowerKva = Math.max(before.contractedPowerKva, HOME_CHARGER_CONTRACT_KVA);
      substationKva[substation] += contractedPowerKva - before.contractedPowerKva;
      points[i] = { ...before, contractedPowerKva };
      withCharger(i, charger, homeChargers.get(meteringPointId) ?? null);
      homeChargers.set(meteringPointId, charger);
      // Most of the street's car owners manage the house with a HEMS: the flexibility that can relieve the feeder.
      const hems = hemsRows.find((row) => row.meteringPointId === meteringPointId);
      if (hems) {
        const wallbox = deviceRows.find((device) => device.hemsId === hems.id && device.kind === 'EV_CHARGER');
        if (wallbox) wallbox.ratedPowerKw = charger.powerKw;
        else deviceRows.push(...addDevices(hems.id, [{ kind: 'EV_CHARGER', ratedPowerKw: charger.powerKw }], deviceRows.filter((device) => device.hemsId === hems.id).length));
      } else if (n < CONGESTED_HEMS) {
        const pv = before.pvCapacityKwp > 0 ? [{ kind: 'PV_INVERTER' as const, ratedPowerKw: before.pvCapacityKwp }] : [];
        addHems(i, lisbon(HEMS_FIRST_DAY), (hemsId) => addDevices(hemsId, [...pv, { kind: 'EV_CHARGER', ratedPowerKw: charger.powerKw }, { kind: 'WATER_HEATER', ratedPowerKw: 2 }], 0));
      }
    }
  }
  const topology = generateTopology(
    {
      substations: grid.secondarySubstations,
      feedersBySubstation: grid.feedersBySubstation,
      connections: connectionRows,
      contractedKvaOf: (meteringPointId) => points[pointIndex.get(meteringPointId)!]!.contractedPowerKva,
      congestion: congestion && { feederId: congestion.feederId, meteringPointIds: new Set(congestion.homeChargers.map((c) => c.meteringPointId)) },
      seed,
    },
    topologyRandom,
  );

  const schemeRows = tariffSchemeRows();
  const pilot = drawPilot(points, assignments, pilotRandom);
  return {
    organisations: [
      { ...DSO },
      ...RETAILERS.map((r) => ({ id: r.id, name: r.name, kind: 'retailer' satisfies Role })),
      ...OTHER_ORGANISATIONS.map((o) => ({ ...o })),
    ],
    primarySubstations: PRIMARY_SUBSTATIONS.map((p) => ({ ...p })),
    secondarySubstations: topology.substations,
    feeders: grid.feeders,
    lineCodes: cableLineCodes(),
    buses: topology.buses,
    lineSegments: topology.lineSegments,
    meteringPoints: points,
    supplyContracts: contracts,
    connections: connectionRows,
    evChargingStations: evStations,
    tariffSchemes: schemeRows.schemes,
    tariffSchemePrices: schemeRows.prices,
    tariffAssignments: pilot.assignments,
    pilotEnrolments: pilot.enrolments,
    hemsSystems: hemsRows,
    hemsDevices: deviceRows,
    flexibleLoads: loadRows,
    hemsSharing: sharing,
    homeChargers,
    ...generateFlexRequests({ substations: grid.secondarySubstations, contractedKva: substationKva, feeders: grid.feeders, points, connections: connectionRows }, epochDayOf(new Date(nowMs)), flexRandom),
    congestion,
  };
}

/**
 * The congested feeder: of the feeders of the larger substations (400 kVA and up, whose
 * transformer takes the extra load) without a public charging station, the one with the fewest
 * customers (a quiet street of houses) that has HOME_CHARGERS + OTHER_HOUSEHOLDS single-phase
 * households or more; the first HOME_CHARGERS of them, which the phase rotation spreads evenly, got
 * a car. Null when no feeder qualifies.
 */
function seedCongestion(grid: Grid, points: readonly MeteringPointRow[], connectionRows: readonly ConnectionRow[], random: Random): SeededCongestion | null {
  const substationOf = new Map(grid.feeders.map((f) => [f.id, f.secondarySubstationId]));
  const ratingOf = new Map(grid.secondarySubstations.map((s) => [s.id, s.ratedPowerKva]));
  const onFeeder = new Map<string, { customers: number; households: string[]; station: boolean }>();
  // generateParish makes a point and its connection together: the arrays are parallel.
  for (let i = 0; i < connectionRows.length; i++) {
    const connection = connectionRows[i]!;
    const point = points[i]!;
    let entry = onFeeder.get(connection.feederId);
    if (!entry) onFeeder.set(connection.feederId, (entry = { customers: 0, households: [], station: false }));
    entry.customers++;
    if (point.usage === 'EV_CHARGING') entry.station = true;
    if (point.usage === 'RESIDENTIAL' && connection.phase !== 'ABC') entry.households.push(point.id);
  }
  let chosen: [string, { customers: number; households: string[] }] | undefined;
  // Feeder ids are ASCII: code-unit order, which is faster than localeCompare and as stable.
  for (const [feederId, entry] of [...onFeeder].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (entry.station || entry.households.length < HOME_CHARGERS + OTHER_HOUSEHOLDS || ratingOf.get(substationOf.get(feederId)!)! < 400) continue;
    if (!chosen || entry.customers < chosen[1].customers) chosen = [feederId, entry];
  }
  if (!chosen) return null;
  const [feederId, { households }] = chosen;
  return {
    feederId,
    secondarySubstationId: substationOf.get(feederId)!,
    homeChargers: households.slice(0, HOME_CHARGERS).map((meteringPointId) => ({
      meteringPointId,
      // Home from work between 19:00 and 19:45, the car charging for three and a half to four hours.
      charger: { powerKw: HOME_CHARGER_KW, startMinute: 19 * 60 + random.int(0, 45), durationMinutes: random.int(210, 240) },
    })),
  };
}

/** How long before its first ISP a seeded request stops taking offers. */
const FLEX_OFFER_LEAD_MS = HOUR_MS;
const ISP_MINUTES = 15;

/**
 * Evening-peak requests on the substations whose customers load them most, each for its whole
 * substation with the same reduction in every ISP. The earlier 60 % were for the winter week of
 * FLEX_WEEK_FIRST_DAY and closed when their period ended; the others are open, in the three days
 * after `today`, and published to the retailers supplying a point behind their substation.
 */
function generateFlexRequests(
  parish: { substations: SecondarySubstationRow[]; contractedKva: number[]; feeders: FeederRow[]; points: MeteringPointRow[]; connections: ConnectionRow[] },
  today: number,
  random: Random,
): Pick<Parish, 'flexRequests' | 'flexRequestIsps' | 'flexRequestRecipients'> {
  const { substations, contractedKva } = parish;
  const loading = substations.map((s, i) => ({ substation: s, ratio: (contractedKva[i] * PEAK_COINCIDENCE) / s.ratedPowerKva }));
  loading.sort((a, b) => b.ratio - a.ratio || a.substation.id.localeCompare(b.substation.id));
  const drafts = loading.slice(0, FLEX_REQUESTS).map(({ substation }) => {
    const startHalfHour = random.int(36, 40);
    const endHalfHour = Math.min(42, startHalfHour + random.int(2, 4));
    const minKw = Math.round(substation.ratedPowerKva * random.range(0.05, 0.15));
    return { substation, startHalfHour, endHalfHour, minKw, dayOffset: random.int(0, 6), createdDaysBefore: random.int(1, 3), createdHour: random.int(9, 17), createdMinute: random.pick([0, 15, 30, 45]) };
  });
  drafts.sort((a, b) => a.dayOffset - b.dayOffset || a.startHalfHour - b.startHalfHour || a.substation.id.localeCompare(b.substation.id));
  const closed = Math.round(drafts.length * 0.6);

  const substationOfFeeder = new Map(parish.feeders.map((feeder) => [feeder.id, feeder.secondarySubstationId]));
  const retailerOf = new Map(parish.points.map((point) => [point.id, point.retailerId]));
  const retailersBehind = new Map<string, Set<string>>();
  for (const connection of parish.connections) {
    const substationId = substationOfFeeder.get(connection.feederId)!;
    const retailers = retailersBehind.get(substationId) ?? new Set<string>();
    retailers.add(retailerOf.get(connection.meteringPointId)!);
    retailersBehind.set(substationId, retailers);
  }

  const flexRequests: FlexRequestRow[] = [];
  const flexRequestIsps: FlexRequestIspRow[] = [];
  const flexRequestRecipients: FlexRequestRecipientRow[] = [];
  drafts.forEach((draft, i) => {
    const id = `FR-2025-${String(i + 1).padStart(4, '0')}`;
    const ended = i < closed;
    const day = ended ? FLEX_WEEK_FIRST_DAY + draft.dayOffset : today + 1 + (draft.dayOffset % 3);
    const periodStart = lisbon(day, Math.floor(draft.startHalfHour / 2), (draft.startHalfHour % 2) * 30);
    const periodEnd = lisbon(day, Math.floor(draft.endHalfHour / 2), (draft.endHalfHour % 2) * 30);
    flexRequests.push({
      id,
      congestionPointKind: 'SECONDARY_SUBSTATION',
      congestionPointId: draft.substation.id,
      secondarySubstationId: draft.substation.id,
      needId: null,
      status: ended ? 'CLOSED' : 'OPEN',
      revision: 1,
      periodStart,
      periodEnd,
      expiresAt: new Date(periodStart.getTime() - FLEX_OFFER_LEAD_MS),
      // An open request was created before the seeding's day: never in the future.
      createdAt: lisbon((ended ? day : today) - draft.createdDaysBefore, draft.createdHour, draft.createdMinute),
      revisedAt: null,
      closedAt: ended ? periodEnd : null,
      closeReason: ended ? 'PERIOD_ENDED' : null,
      restoredAt: ended ? periodEnd : null,
    });
    for (let start = periodStart.getTime(); start < periodEnd.getTime(); start += ISP_MINUTES * 60_000) {
      flexRequestIsps.push({ requestId: id, start: new Date(start), minKw: draft.minKw, maxKw: Math.round(draft.minKw * 1.5) });
    }
    for (const organisationId of [...(retailersBehind.get(draft.substation.id) ?? [])].sort()) flexRequestRecipients.push({ requestId: id, organisationId });
  });
  return { flexRequests, flexRequestIsps, flexRequestRecipients };
}
