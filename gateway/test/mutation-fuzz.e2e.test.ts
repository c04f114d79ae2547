/**
 * Fuzzes the input of every mutation of the composed supergraph through the gateway, over HTTP,
 * with a key allowed to call it, and checks after each call that:
 *  1. no answer carries INTERNAL_SERVER_ERROR, and every error code is in the closed set;
 *  2. a mutation that answers with an error leaves the database exactly as it was (row count and
 *     row checksum of every table of the data schemas but hub.access_log and hub.api_keys);
 *  3. hub.outbox grows only with a mutation that succeeded, and a successful mutation that wrote
 *     anything wrote exactly one hub.audit_log line, naming itself;
 * and, so that the fuzz itself stays bounded, that no mutation takes more than 5 s to answer; and,
 * so that 2 and 3 are checked on successful calls too, that at least 3 of every 40 runs of each
 * mutation answer data (a mutation that acts on existing rows gets rows of its own for that).
 *
 * The mutations, their arguments and their types come from schema/supergraph.graphql, and who may
 * call each from the @Authorized scopes in subgraphs/*\/*.resolver.ts (with ROLE_SCOPES), so a new
 * mutation is fuzzed without touching this file; one this file cannot build values for fails
 * with "add a fuzz arbitrary for Mutation.x". Values are drawn per type (ID, String, Float, Int,
 * Boolean, DateTime, enums, lists, input objects) with a per-run hostility: 0 % gives plausible
 * values (ids that exist, small positive numbers, aligned times near now: the runs that reach the
 * writes); 5, 12 and 50 % mix in empty, huge, unicode, NUL, SQL- and JSON-like text, near-miss
 * ids, extreme and misaligned times, out-of-range numbers, nulls and wrong types.
 *
 * A failure prints the input as sent and the answer, with fast-check's seed; the seed replays the
 * whole sequence on a fresh hub. MH_FUZZ_SEED and MH_FUZZ_RUNS override the seed and the run
 * count, MH_FUZZ_REPORT_ALL=1 lists every violating run of a mutation instead of stopping at the
 * first, and MH_FUZZ_OUTCOMES=1 prints how each mutation's runs ended.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import {
  buildSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
} from 'graphql';
import { CONSENT_ROLES, CONSENT_SCOPES, ROLE_SCOPES, SCOPES } from '../../schema/access';
import { ERROR_CODES } from '../../schema/errors';
import type { Role } from '../../schema/identity';
import { PRICED_PERIODS } from '../../schema/tariffs';
import { flexRequestInput } from '../../tools/testing/flex-request-input';
import { startTestHub, type GraphQLHttpResponse, type TestHub } from '../../tools/testing/hub-fixture';

const ROOT = path.resolve(__dirname, '../..');
const QUARTER_HOUR_MS = 15 * 60 * 1000;
const DAY_MS = 86_400_000;
const RUNS_PER_MUTATION = Number(process.env.MH_FUZZ_RUNS ?? 40);
const BASE_SEED = Number(process.env.MH_FUZZ_SEED ?? 20_240_611);
const REPORT_ALL = process.env.MH_FUZZ_REPORT_ALL === '1';
/** Far above the tens of milliseconds a mutation takes: a request that holds the hub longer is a finding too. */
const MAX_ANSWER_MS = 5_000;
const CLOSED_CODES = new Set<string>(ERROR_CODES);
/** Data schemas of the hub; access_log and api_keys move with every request (reads logged, keys touched). */
const DATA_SCHEMAS = ['hub', 'metering', 'grid', 'tariffs', 'flexibility', 'hems'];
const MOVED_BY_ANY_REQUEST = new Set(['hub.access_log', 'hub.api_keys']);
const AUDIT = 'hub.audit_log';
const OUTBOX = 'hub.outbox';

// ---------------------------------------------------------------------------------------------
// What to fuzz: read at collection time, so each mutation is a test of its own.

const supergraph = buildSchema(readFileSync(path.join(ROOT, 'schema/supergraph.graphql'), 'utf8'), { assumeValidSDL: true });
const MUTATIONS: GraphQLField<unknown, unknown>[] = Object.values(supergraph.getMutationType()?.getFields() ?? {});

/**
 * `Type.field` → the scopes its @Authorized names (any one suffices), from the subgraphs'
 * resolvers: the source of truth for which key may call a mutation and read a returned field.
 * A field resolved without @Authorized maps to [] (any key).
 */
function authorizedFields(): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  const subgraphsDir = path.join(ROOT, 'subgraphs');
  for (const entry of readdirSync(subgraphsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const file of readdirSync(path.join(subgraphsDir, entry.name)).filter((name) => name.endsWith('.resolver.ts'))) {
      let resolverType: string | null = null;
      let scopes: string[] = [];
      let root: string | null = null;
      for (const line of readFileSync(path.join(subgraphsDir, entry.name, file), 'utf8').split('\n')) {
        const resolver = /^@Resolver\(\(\) => (\w+)\)/.exec(line);
        const authorized = /^\s*@Authorized\(([^)]*)\)/.exec(line);
        const decorator = /^\s*@(Mutation|Query|Subscription|FieldResolver)\(/.exec(line);
        const method = /^\s+(?:async\s+)?(\w+)\(/.exec(line);
        if (resolver) resolverType = resolver[1]!;
        else if (authorized) scopes = [...authorized[1]!.matchAll(/'([^']+)'/g)].map((match) => match[1]!);
        else if (decorator) root = decorator[1] === 'FieldResolver' ? resolverType : decorator[1]!;
        else if (method && root) {
          fields.set(`${root}.${method[1]}`, scopes);
          root = null;
          scopes = [];
        }
      }
    }
  }
  return fields;
}
const AUTHORIZED = authorizedFields();

// ---------------------------------------------------------------------------------------------
// Who calls

interface Caller {
  role: Role;
  organisationId: string;
  key: string;
}

const holds = (caller: Caller, scopes: readonly string[]) => scopes.length === 0 || scopes.some((scope) => (ROLE_SCOPES[caller.role] as readonly string[]).includes(scope));

/** Whether the caller may read `Type.field` (fields without a resolver of their own need no scope). */
const mayRead = (caller: Caller, type: string, field: string) => holds(caller, AUTHORIZED.get(`${type}.${field}`) ?? []);

/** Every leaf field of the returned type the caller may read: more fields, more values serialised back. */
function selectionFor(type: GraphQLOutputType, caller: Caller): string {
  const named = getNamedType(type);
  if (!isObjectType(named)) return '';
  const leaves = Object.values(named.getFields()).filter(
    (field) => isLeafType(getNamedType(field.type)) && field.args.every((arg) => !isNonNullType(arg.type)) && mayRead(caller, named.name, field.name),
  );
  return `{ __typename ${leaves.map((field) => field.name).join(' ')} }`;
}

function documentFor(mutation: GraphQLField<unknown, unknown>, caller: Caller): string {
  const variables = mutation.args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
  const args = mutation.args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  return `mutation Fuzz${variables ? `(${variables})` : ''} { ${mutation.name}${args ? `(${args})` : ''} ${selectionFor(mutation.type, caller)} }`;
}

// ---------------------------------------------------------------------------------------------
// Values, per GraphQL type

interface Known {
  meteringPoints: string[];
  secondarySubstations: string[];
  primarySubstations: string[];
  feeders: string[];
  /** Each secondary substation's feeders: a feeder named with its substation is one of them. */
  feedersOf: Record<string, string[]>;
  organisations: string[];
  /** Organisations a customer may grant a consent to (CONSENT_ROLES). */
  consentHolders: string[];
  /** HEMS: the fuzz's own (the customer's, shared with the retailer and the aggregator) most often, others of the parish (NOT_FOUND). */
  hems: string[];
  /** The fuzz HEMS's devices: all but one controllable. */
  hemsDevices: string[];
  /** The points the fuzz's retailer supplies now. */
  retailerPoints: string[];
  /** Published tariff schemes: the seed's and the fuzz's critical-peak one. */
  tariffSchemes: string[];
  criticalPeakSchemes: string[];
  /** Lisbon local days (YYYY-MM-DD) from two days ahead: past a critical-peak event's notice whatever the hour, and a pilot's start. */
  localDays: string[];
  /** A past local day with readings of a few points (a secondary substation's), as a calibration window: what calibrateRevenueNeutral runs on. */
  calibration: { from: string; to: string; day: string; points: string[]; secondarySubstationId: string };
  /** The ISP starts of every request the fuzz offers on (offerableRequests), first to last: an offer answers some of them. */
  flexIsps: string[];
  /** Ids a mutation's `id` argument (or its entity's ROW_FIELDS field) may name, by the entity its name mentions. */
  byEntity: Record<string, string[]>;
}

interface Gen {
  mutation: string;
  caller: Caller;
  /**
   * Percent of the run's values drawn hostile, the rest plausible: 0 reaches the writes, 5 and 12
   * put one or two bad values among good ones (past the checks that come first), 50 is a storm.
   */
  hostility: number;
  /** Instants the run's times cluster around: equal, ordered and reversed pairs come from them. */
  anchors: number[];
  known: Known;
}

class MissingArbitrary extends Error {}
const missing = (gen: Gen, what: string) => new MissingArbitrary(`add a fuzz arbitrary for Mutation.${gen.mutation}: ${what}`);

/** A value: plausible, or hostile for the run's share of values. */
function leaf(gen: Gen, plausible: fc.Arbitrary<unknown>, ...hostile: fc.WeightedArbitrary<unknown>[]): fc.Arbitrary<unknown> {
  if (gen.hostility === 0 || hostile.length === 0) return plausible;
  return fc.oneof({ weight: 100 - gen.hostility, arbitrary: plausible }, { weight: gen.hostility, arbitrary: fc.oneof(...hostile) });
}

/** A malformed shape (null where forbidden, unknown field, bad enum): a tenth as often, since coercion stops the whole request. */
function rarely<T>(gen: Gen, plausible: fc.Arbitrary<T>, malformed: fc.Arbitrary<T>): fc.Arbitrary<T> {
  if (gen.hostility === 0) return plausible;
  return fc.oneof({ weight: 1_000 - gen.hostility, arbitrary: plausible }, { weight: gen.hostility, arbitrary: malformed });
}

const some = (arbitrary: fc.Arbitrary<unknown>, weight = 1): fc.WeightedArbitrary<unknown> => ({ arbitrary, weight });

/** Exactly N elements where the API's rules say so (a measurement has phases A, B and C). */
const PLAUSIBLE_LIST_LENGTH: Record<string, number> = { phases: 3 };

/**
 * Mutation → input field → the values of its enum a plausible caller sends: the DSO declares
 * maintenance and failures (power-flow runs find the other kinds), and runs from forecasts (the
 * fuzz's parish has no stored readings, which a MEASURED run refuses). The enum's other values come in with the run's hostility.
 */
const PLAUSIBLE_ENUM_VALUES: Record<string, Record<string, readonly string[]>> = {
  declareGridConstraint: { kind: ['PLANNED_MAINTENANCE', 'ASSET_FAILURE'] },
  runPowerFlow: { source: ['FORECAST'] },
  // The fuzz's HEMS is behind contracted-power orders in force (a FLEX_ORDER command needs a flex order covering it, which comes in with the run's hostility).
  issueHemsCommand: { reason: ['CONTRACTED_POWER_ORDER'] },
};

/**
 * Mutation → input field → the range of a plausible number where 1 to 100 is mostly wrong: a
 * device's power is up to its rating (the fuzz HEMS's smallest is 2 kW). Out-of-range numbers
 * come in with the run's hostility.
 */
const PLAUSIBLE_NUMBER_RANGES: Record<string, Record<string, readonly [number, number]>> = {
  reportHemsTelemetry: { powerKw: [0, 2] },
  issueHemsCommand: { targetPowerKw: [0, 2] },
  // EUR per kVA and day: a tenth of one already brings more than a household's energy pays.
  calibrateRevenueNeutral: { powerPriceEurPerKvaDay: [0, 0.1] },
  // A household's flexibility is a few kW (the fuzz HEMS's several loads take some 30), and a price a few tenths of a euro.
  submitFlexOffer: { kw: [0, 2], priceEurPerKwh: [0, 1] },
  // In (0, 1]: the share of the offer ordered.
  orderFlex: { activationFactor: [0, 1] },
};

/** Spans of quarter-hours a run's times cluster around (anchorArb). */
type AnchorSpan = 'over' | 'ahead' | 'lastDay';

/**
 * Mutation → the spans its plausible times come from, where the general ones (over, and ahead)
 * would hardly reach the writes: a HEMS reports what it measured in the last day, a command acts
 * ahead (and so expires, unanswered, long after the fuzz: the expiry sweep never writes between
 * a run's fingerprints). The extreme times still come in with the run's hostility.
 */
const PLAUSIBLE_ANCHORS: Record<string, readonly AnchorSpan[]> = {
  reportHemsTelemetry: ['lastDay'],
  issueHemsCommand: ['ahead'],
  // Activations are reported on an order's ISPs: the fuzz's order's span the last day.
  reportActivation: ['lastDay'],
  // A flexibility request is for ISPs still to come.
  createFlexRequest: ['ahead'],
  reviseFlexRequest: ['ahead'],
};

/** Input type → its times in the order a plausible caller writes them, where that is not the declared one: a command's answer is due before it ends. */
const PLAUSIBLE_TIME_ORDER: Record<string, readonly string[]> = {
  IssueHemsCommandInput: ['start', 'expiresAt', 'end'],
};

const EDGE_STRINGS = ['', ' ', ' \t\n', '\u0000', 'a\u0000b', '\ud800', '\udfff', '\uffff', '\u200b', '\u202eevil', 'null', 'undefined', '%', '_', '\\', "'", '"', '`', '$1', '${x}', '../../etc/passwd', '<script>alert(1)</script>'];
const SQL_STRINGS = ["' OR '1'='1", "'; DROP TABLE hub.audit_log; --", '1; SELECT pg_sleep(5)', "%' AND 1=1 --", '$$; $$', "E'\\\\x00'", 'x" OR "1"="1', ')) OR 1=1; --'];
const JSON_STRINGS = ['{}', '[]', '{"kind":"ISSUED","orderId":"x"}', '{"$ne":null}', '[1,2', '{"a":' + '['.repeat(500), '"quoted"', '{"__proto__":{"admin":true}}'];

/** Long text: ASCII up to just under the 2 MiB body limit, multi-byte shorter so that it stays under too. */
const longString = fc.oneof(
  fc.constantFrom(501, 4_096, 100_000, 1_900_000).map((n) => 'x'.repeat(n)),
  fc.tuple(fc.constantFrom(501, 10_000, 300_000), fc.constantFrom('é', '🔌', "' OR 1=1 -- ", '{"a":[')).map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n)),
);

const nearMisses = (ids: string[]) =>
  fc.constantFrom(...ids).chain((id) =>
    fc.constantFrom(`${id} `, ` ${id}`, id.toLowerCase(), id.toUpperCase(), id.slice(0, -1), `${id}X`, `${id}\u0000`, `${id.slice(0, -1)}${id.endsWith('0') ? '1' : '0'}`, `${id},${id}`, `%${id.slice(1)}`),
  );

function knownValues(field: string, gen: Gen): string[] | null {
  const name = field.replace(/Ids$/, 'Id');
  const { known, caller } = gen;
  switch (name) {
    case 'meteringPointId':
      // A pilot is withdrawn from a point with an open enrolment: the customer's own, or the retailer's fresh ones.
      if (gen.mutation === 'withdrawPilotEnrolment' && caller.role !== 'customer') return known.byEntity.PilotEnrolment!;
      // A retailer accepts for the points it supplies far more often than for another's (NOT_FOUND).
      if (gen.mutation === 'acceptPilotEnrolment' && caller.role === 'retailer') return [...known.retailerPoints, ...known.meteringPoints.slice(0, 3)];
      // A customer's key names its own point far more often than another (which is NOT_FOUND).
      return caller.role === 'customer' ? [caller.organisationId, caller.organisationId, caller.organisationId, ...known.meteringPoints.slice(0, 3)] : known.meteringPoints;
    case 'secondarySubstationId':
      return known.secondarySubstations;
    case 'primarySubstationId':
      return known.primarySubstations;
    case 'feederId':
      return known.feeders;
    case 'congestionPointId':
      // A flexibility request's: a feeder or a secondary substation.
      return [...known.feeders, ...known.secondarySubstations];
    case 'organisationId':
      // Those a consent may name come up most often: every other is refused before any write.
      return [...known.organisations, ...Array.from({ length: 5 }, () => known.consentHolders).flat()];
    case 'scopes':
      return [...CONSENT_SCOPES];
    case 'idempotencyKey':
      // Two keys come back often: replays (same batch) and conflicts (another batch) follow.
      return ['fuzz-batch-a', 'fuzz-batch-b'];
    case 'hemsId':
      return known.hems;
    case 'deviceId':
      return known.hemsDevices;
    case 'commandId':
      return known.byEntity.HemsCommand!;
    case 'flexRequestId':
      // An offer answers, and autoSelect orders from, the requests made for the mutation's runs (knownFor).
      return known.byEntity.FlexRequest!;
    case 'offerId':
      return known.byEntity.FlexOffer!;
    case 'orderId':
      // A command serves an order (the contracted-power orders in force); an activation is reported on a flex order.
      return gen.mutation === 'reportActivation' ? known.byEntity.FlexOrder! : known.byEntity.ContractedPowerOrder!;
    case 'schemeId':
      // Events are announced on critical-peak schemes (another kind is refused); a pilot takes any published scheme but the flat one.
      return gen.mutation === 'announceCriticalPeakEvent' ? [...known.criticalPeakSchemes, 'TP-BI-DIARIO'] : known.tariffSchemes;
    case 'day':
    case 'startsOn':
      return known.localDays;
    case 'validFrom':
    case 'validTo':
      return known.localDays;
    case 'family':
      // A new version of a published scheme: the seed's schemes are version 1 of a family named by their id.
      return known.tariffSchemes;
    case 'period':
      return [...PRICED_PERIODS];
    case 'start':
    case 'end':
      // Local wall-clock times of a critical-peak window (a DateTime start or end never comes here).
      return ['07:00', '08:30', '18:00', '19:45', '21:00', '24:00'];
    case 'earliestStart':
    case 'latestEnd':
      // Local times HH:MM, a window over midnight and one of a minute among them.
      return ['00:00', '06:30', '18:00', '21:45', '23:59'];
    case 'id': {
      const entity = Object.keys(known.byEntity).find((entityName) => gen.mutation.includes(entityName));
      return entity ? known.byEntity[entity]! : Object.values(known.byEntity).flat();
    }
    default:
      return null;
  }
}

function textArb(field: string, gen: Gen, isId: boolean, inList: boolean): fc.Arbitrary<unknown> {
  const known = knownValues(field, gen);
  const fresh = fc.string({ minLength: 1, maxLength: 24, unit: 'grapheme-ascii' });
  const plausible = known
    ? field === 'idempotencyKey'
      ? fc.oneof(fc.constantFrom(...known), fresh.map((s) => `fuzz-${s}`))
      : fc.constantFrom(...known)
    : isId
      ? fc.constantFrom(...Object.values(gen.known.byEntity).flat(), ...gen.known.meteringPoints.slice(0, 5))
      : fc.oneof(fc.constantFrom('fuzz', 'storm damage on feeder 3', 'Manutenção programada — PT 0042'), fresh);
  return leaf(
    gen,
    plausible,
    some(fc.constantFrom(...EDGE_STRINGS), 3),
    some(fc.constantFrom(...SQL_STRINGS)),
    some(fc.constantFrom(...JSON_STRINGS)),
    some(fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' })),
    some(fc.string({ minLength: 1, maxLength: 40, unit: 'binary' })),
    some(fc.constantFrom(...SCOPES, 'aggregates:read', 'METERING:READ')),
    // Not a string at all: coercion must refuse it before a resolver runs.
    some(fc.constantFrom(42, true, { id: 'x' }, ['x'])),
    ...(known && known.length > 0 ? [some(nearMisses(known), 2)] : []),
    // One long value per list element would pass the body limit; long text is tried at the top level.
    ...(inList ? [] : [some(longString)]),
  );
}

function floatArb(gen: Gen, field: string): fc.Arbitrary<unknown> {
  const range = PLAUSIBLE_NUMBER_RANGES[gen.mutation]?.[field];
  return leaf(
    gen,
    // Tenths: plain decimals, as a client sends them.
    range ? fc.integer({ min: range[0] * 10, max: range[1] * 10 }).map((tenths) => tenths / 10) : fc.integer({ min: 1, max: 100 }),
    // Zero, signs, fractions, the int32 and real (float4) edges, tiny values that underflow a real, doubles' extremes.
    some(fc.constantFrom(0, -0, -1, -100.5, 0.5, 99.999, 100.0001, 1e-7, 1e-50, 5e-324, 2_147_483_647, 2_147_483_648, 4_294_967_296, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 1e21, 3.4e38, 3.5e38, 1e39, 1e308, -1e308), 4),
    some(fc.double({ noNaN: true, noDefaultInfinity: true }), 2),
    some(fc.integer({ min: -1_000_000_000, max: 1_000_000_000 })),
    some(fc.constantFrom('1', 'NaN', true, [1])),
  );
}

function intArb(gen: Gen): fc.Arbitrary<unknown> {
  return leaf(gen, fc.integer({ min: 1, max: 100 }), some(fc.constantFrom(0, -1, 2_147_483_647, -2_147_483_648, 2_147_483_648, 1.5, 1e21, '1')), some(fc.integer()));
}

const iso = (ms: number) => new Date(ms).toISOString();
/** The same instant written with a UTC offset. */
const withOffset = (ms: number, offsetMinutes: number) => {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().replace('Z', '');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
};

function dateTimeArb(gen: Gen): fc.Arbitrary<unknown> {
  // Quarter-hours around the run's anchors: equal (k = k'), ordered and reversed pairs, all aligned.
  const near = fc.tuple(fc.constantFrom(...gen.anchors), fc.integer({ min: -4, max: 8 })).map(([anchor, k]) => anchor + k * QUARTER_HOUR_MS);
  return leaf(
    gen,
    near.map(iso),
    some(fc.tuple(near, fc.constantFrom(1, 999, 1_000, 7 * 60_000, QUARTER_HOUR_MS - 1)).map(([ms, skew]) => iso(ms + skew)), 3),
    some(fc.tuple(near, fc.constantFrom(-720, -90, 60, 330, 840)).map(([ms, offset]) => withOffset(ms, offset))),
    some(near.map((ms) => iso(ms).replace(/\.\d{3}Z$/, '.123456789Z'))),
    some(fc.constantFrom('0000-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '0099-03-01T00:00:00Z', '1000-06-15T12:00:00Z', '1899-12-31T23:45:00Z', '1970-01-01T00:00:00Z', '9999-12-31T23:45:00Z', '9999-12-31T23:59:59.999Z'), 3),
    // Not a date-time: the DateTime scalar must refuse it (BAD_USER_INPUT) before any resolver.
    some(fc.constantFrom('', 'now', '2025-02-30T00:00:00Z', '2025-13-01T00:00:00Z', '2025-01-01', '2025-01-01T24:00:00Z', '2025-01-01 00:00:00Z', '+275760-09-13T00:00:00Z', 1_735_689_600_000, true), 2),
  );
}

function scalarArb(name: string, field: string, gen: Gen, inList: boolean): fc.Arbitrary<unknown> {
  switch (name) {
    case 'ID':
      return textArb(field, gen, true, inList);
    case 'String':
      return textArb(field, gen, false, inList);
    case 'Float':
      return floatArb(gen, field);
    case 'Int':
      return intArb(gen);
    case 'Boolean':
      return leaf(gen, fc.boolean(), some(fc.constantFrom('true', 1)));
    case 'DateTime':
      return dateTimeArb(gen);
    default:
      throw missing(gen, `no generator for the scalar ${name} (argument field ${field})`);
  }
}

function listArb(element: fc.Arbitrary<unknown>, field: string, gen: Gen): fc.Arbitrary<unknown> {
  const exact = PLAUSIBLE_LIST_LENGTH[field];
  const plausible = exact !== undefined ? fc.array(element, { minLength: exact, maxLength: exact }) : fc.array(element, { minLength: 1, maxLength: 3 });
  return leaf(
    gen,
    plausible,
    some(fc.constant<unknown[]>([])),
    some(fc.array(element, { minLength: 1, maxLength: 1 })),
    some(fc.array(element, { minLength: 2, maxLength: 5 }), 2),
    some(fc.array(element, { minLength: 20, maxLength: 60 })),
    // The same elements twice: duplicates must be refused or merged, never half-written.
    some(fc.array(element, { minLength: 1, maxLength: 3 }).map((elements) => [...elements, ...elements]), 2),
  );
}

function valueArb(type: GraphQLInputType, field: string, gen: Gen, inList: boolean, depth: number): fc.Arbitrary<unknown> {
  if (depth > 6) throw missing(gen, `input nested deeper than 6 levels at ${field}`);
  // A null where the schema forbids one: coercion refuses it before any resolver.
  if (isNonNullType(type)) return rarely(gen, nullableValueArb(type.ofType, field, gen, inList, depth), fc.constant(null));
  return fc.oneof({ weight: 4, arbitrary: nullableValueArb(type, field, gen, inList, depth) }, { weight: 1, arbitrary: fc.constant(null) });
}

function nullableValueArb(type: GraphQLInputType, field: string, gen: Gen, inList: boolean, depth: number): fc.Arbitrary<unknown> {
  if (isListType(type)) return listArb(valueArb(type.ofType as GraphQLInputType, field, gen, true, depth + 1), field, gen);
  if (isEnumType(type)) {
    const values = type.getValues().map((value) => value.name);
    const plausible = PLAUSIBLE_ENUM_VALUES[gen.mutation]?.[field] ?? values;
    const others = values.filter((value) => !plausible.includes(value));
    const valid = leaf(gen, fc.constantFrom(...plausible), ...(others.length > 0 ? [some(fc.constantFrom(...others))] : []));
    return rarely<unknown>(gen, valid, fc.constantFrom('NOT_A_VALUE', values[0]!.toLowerCase(), '', 0));
  }
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    const shape = Object.fromEntries(fields.map((input) => [input.name, valueArb(input.type, input.name, gen, inList, depth + 1)]));
    const requiredKeys = fields.filter((input) => isNonNullType(input.type) && input.defaultValue === undefined).map((input) => input.name);
    // Optional fields present in random subsets: record leaves out any key not required.
    const subset = fc.record(shape, { requiredKeys });
    // An input of optional fields only is mostly a choice (name the area by one of three): one field, often.
    const one = fc.constantFrom(...fields.map((input) => input.name)).chain((name) => nullableValueArb(type.getFields()[name]!.type, name, gen, inList, depth + 1).map((value) => ({ [name]: value })));
    const chosen = requiredKeys.length === 0 && fields.length > 1 ? fc.oneof({ weight: 2, arbitrary: one }, { weight: 1, arbitrary: subset }) : subset;
    const names = new Set(fields.map((input) => input.name));
    const paired = names.has('secondarySubstationId') && names.has('feederId') ? chosen.chain((object) => withItsFeeder(object, gen)) : chosen;
    const record = names.has('kind') && names.has('deviceId') && names.has('targetPowerKw') ? paired.chain((object) => withWhatItsKindNeeds(object, gen)) : paired;
    const priced = names.has('kind') && (names.has('energyPrices') || names.has('priceRatios')) ? record.chain((object) => withPeriodsItsKindPrices(object, names.has('energyPrices'), gen)) : record;
    const sampled = names.has('sample') && names.has('priceRatios') ? priced.chain((object) => withACalibrationWindow(object, gen)) : priced;
    const bounded = names.has('minKw') && names.has('maxKw') ? sampled.chain((object) => withItsBoundsInOrder(object, gen)) : sampled;
    const expiring = names.has('isps') && names.has('expiresAt') ? bounded.chain((object) => withItsExpiryBeforeItsIsps(object, gen)) : bounded;
    const offered = names.has('flexRequestId') && names.has('isps') ? expiring.chain((object) => onTheRequestsIsps(object, gen)) : expiring;
    // Times of one input (from/to, start/end) in the order a plausible caller writes them: as declared, unless PLAUSIBLE_TIME_ORDER says otherwise.
    const declared = fields.filter((input) => !isListType(getNullableType(input.type)) && getNamedType(input.type).name === 'DateTime').map((input) => input.name);
    const times = PLAUSIBLE_TIME_ORDER[type.name] ?? declared;
    const ordered = times.length < 2 || gen.hostility >= 50 ? offered : offered.map((object) => inDeclaredOrder(object, times));
    return rarely<unknown>(gen, ordered, subset.map((object) => ({ ...object, notAField: 1 })));
  }
  if (isScalarType(type)) return scalarArb(type.name, field, gen, inList);
  throw missing(gen, `no generator for the input type ${String(type)}`);
}

/** A known feeder named with a known secondary substation made one of that substation's, but in the run's hostile share. */
function withItsFeeder(object: Record<string, unknown>, gen: Gen): fc.Arbitrary<Record<string, unknown>> {
  const { secondarySubstationId, feederId } = object;
  const own = typeof secondarySubstationId === 'string' ? gen.known.feedersOf[secondarySubstationId] : undefined;
  if (!own || own.length === 0 || typeof feederId !== 'string' || !gen.known.feeders.includes(feederId)) return fc.constant(object);
  return leaf(gen, fc.constantFrom(...own), some(fc.constant(feederId))).map((paired) => ({ ...object, feederId: paired }));
}

/**
 * A command given what its kind needs (a device for SHIFT and CURTAIL, a target power for CURTAIL
 * and for no other kind), but in the run's hostile share.
 */
function withWhatItsKindNeeds(object: Record<string, unknown>, gen: Gen): fc.Arbitrary<Record<string, unknown>> {
  const { kind, deviceId, targetPowerKw, ...rest } = object;
  if (typeof kind !== 'string') return fc.constant(object);
  const device = kind !== 'RESTORE' && (deviceId === undefined || deviceId === null) ? fc.constantFrom(...gen.known.hemsDevices) : fc.constant(deviceId);
  const target = kind !== 'CURTAIL' ? fc.constant(undefined) : targetPowerKw === undefined || targetPowerKw === null ? floatArb(gen, 'targetPowerKw') : fc.constant(targetPowerKw);
  const needed = fc.tuple(device, target).map(([chosenDevice, chosenTarget]) => ({
    ...rest,
    kind,
    ...(chosenDevice === undefined ? {} : { deviceId: chosenDevice }),
    ...(chosenTarget === undefined ? {} : { targetPowerKw: chosenTarget }),
  }));
  return leaf(gen, fc.constant(true), some(fc.constant(false))).chain((plausible) => (plausible ? needed : fc.constant(object)));
}

/** The periods a plausible time-of-use base prices: two-rate, three-rate, four-period. */
const BASE_SHAPES = [['vazio', 'fora_vazio'], ['ponta', 'cheias', 'vazio'], ['ponta', 'cheias', 'vazio_normal', 'super_vazio']];

/**
 * A scheme (or a calibration's ratios) given the periods and cycle its kind takes (FLAT: `all`, no
 * cycle; otherwise a base tiling the day, and for a critical-peak scheme its critical_peak price or
 * ratio and an event), the drawn prices kept, and validity days in order; but in the run's hostile share.
 */
function withPeriodsItsKindPrices(object: Record<string, unknown>, prices: boolean, gen: Gen): fc.Arbitrary<Record<string, unknown>> {
  const { kind } = object;
  if (kind !== 'FLAT' && kind !== 'TIME_OF_USE' && kind !== 'CRITICAL_PEAK') return fc.constant(object);
  const [listField, valueField] = prices ? ['energyPrices', 'energyPriceEurPerKwh'] : ['priceRatios', 'ratio'];
  const drawn: unknown[] = Array.isArray(object[listField]) ? (object[listField] as unknown[]) : [];
  const valueAt = (i: number) => {
    const entry = drawn[i];
    const value = entry && typeof entry === 'object' ? (entry as Record<string, unknown>)[valueField] : undefined;
    return value === undefined ? 1 : value;
  };
  const shapes = kind === 'FLAT' ? [['all']] : BASE_SHAPES.map((periods) => (prices && kind === 'CRITICAL_PEAK' ? [...periods, 'critical_peak'] : periods));
  const needed = fc.tuple(fc.constantFrom(...shapes), fc.constantFrom('DAILY', 'WEEKLY')).map(([periods, cycle]) => {
    const shaped: Record<string, unknown> = { ...object, cycle: kind === 'FLAT' ? null : cycle, [listField]: periods.map((period, i) => ({ period, [valueField]: valueAt(i) })) };
    if (!prices) shaped.criticalPeak = kind === 'CRITICAL_PEAK' ? { ratio: 5, events: [{ day: gen.known.calibration.day, start: '18:00', end: '21:00' }] } : undefined;
    if (typeof shaped.validFrom === 'string' && typeof shaped.validTo === 'string' && shaped.validTo <= shaped.validFrom) shaped.validTo = null;
    return shaped;
  });
  return leaf(gen, fc.constant(true), some(fc.constant(false))).chain((plausible) => (plausible ? needed : fc.constant(object)));
}

/** A calibration on the day and points that have readings (named one by one, or by their substation); but in the run's hostile share. */
function withACalibrationWindow(object: Record<string, unknown>, gen: Gen): fc.Arbitrary<Record<string, unknown>> {
  const { from, to, points, secondarySubstationId } = gen.known.calibration;
  const needed = fc.constantFrom({ meteringPointIds: points }, { secondarySubstationId }).map((sample) => ({ ...object, from, to, sample }));
  return leaf(gen, fc.constant(true), some(fc.constant(false))).chain((plausible) => (plausible ? needed : fc.constant(object)));
}

/** An ISP asking at least minKw and at most maxKw, the two drawn numbers in that order; but in the run's hostile share. */
function withItsBoundsInOrder(object: Record<string, unknown>, gen: Gen): fc.Arbitrary<Record<string, unknown>> {
  const { minKw, maxKw } = object;
  if (typeof minKw !== 'number' || typeof maxKw !== 'number' || minKw <= maxKw) return fc.constant(object);
  return leaf(gen, fc.constant(true), some(fc.constant(false))).map((plausible) => (plausible ? { ...object, minKw: maxKw, maxKw: minKw } : object));
}

/** A request taking offers until at most half an hour before its first ISP, as the DSO sets it; but in the run's hostile share. */
function withItsExpiryBeforeItsIsps(object: Record<string, unknown>, gen: Gen): fc.Arbitrary<Record<string, unknown>> {
  const starts = (Array.isArray(object.isps) ? (object.isps as unknown[]) : [])
    .map((isp) => (isp && typeof isp === 'object' ? Date.parse(String((isp as Record<string, unknown>).start)) : Number.NaN))
    .filter(Number.isFinite);
  if (starts.length === 0) return fc.constant(object);
  const needed = fc.integer({ min: 0, max: 2 }).map((k) => ({ ...object, expiresAt: iso(Math.min(...starts) - k * QUARTER_HOUR_MS) }));
  return leaf(gen, fc.constant(true), some(fc.constant(false))).chain((plausible) => (plausible ? needed : fc.constant(object)));
}

/**
 * An offer on consecutive ISPs of the fuzz's requests (Known.flexIsps), from a drawn one on, expiring
 * up to half an hour before the requests' first ISP, as an offerer answers one; but in the run's hostile share.
 */
function onTheRequestsIsps(object: Record<string, unknown>, gen: Gen): fc.Arbitrary<Record<string, unknown>> {
  const { isps } = object;
  const { flexIsps } = gen.known;
  if (!Array.isArray(isps) || isps.some((isp) => !isp || typeof isp !== 'object')) return fc.constant(object);
  const needed = fc.tuple(fc.integer({ min: 0, max: flexIsps.length - 1 }), fc.integer({ min: 0, max: 2 })).map(([first, k]) => ({
    ...object,
    isps: (isps as Record<string, unknown>[]).map((isp, i) => ({ ...isp, start: flexIsps[(first + i) % flexIsps.length] })),
    expiresAt: iso(Date.parse(flexIsps[0]!) - k * QUARTER_HOUR_MS),
  }));
  return leaf(gen, fc.constant(true), some(fc.constant(false))).chain((plausible) => (plausible ? needed : fc.constant(object)));
}

/** The object with its valid times rearranged to rise, a quarter-hour apart at least; other values stay. */
function inDeclaredOrder(object: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const present = names.filter((name) => typeof object[name] === 'string' && !Number.isNaN(Date.parse(object[name] as string)));
  const sorted = present.map((name) => Date.parse(object[name] as string)).sort((a, b) => a - b);
  const rising = { ...object };
  let previous = -Infinity;
  present.forEach((name, index) => {
    const ms = Math.max(sorted[index]!, previous + QUARTER_HOUR_MS);
    // Kept as written when already in place, so skewed or offset spellings survive.
    if (ms !== Date.parse(object[name] as string)) rising[name] = iso(ms);
    previous = ms;
  });
  return rising;
}

interface Run {
  caller: Caller;
  hostility: number;
  variables: Record<string, unknown>;
}

const anchorArb = (hostility: number, mutation: string) => {
  const now = Date.now();
  const pastQuarter = Math.floor(now / QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
  const spans: Record<AnchorSpan, fc.Arbitrary<number>> = {
    // Quarter-hours that are over (readable, ingestable) and quarter-hours ahead (orders, requests, consents).
    over: fc.integer({ min: 10, max: 2_000 }).map((k) => pastQuarter - k * QUARTER_HOUR_MS),
    ahead: fc.integer({ min: 8, max: 400 }).map((k) => pastQuarter + k * QUARTER_HOUR_MS),
    // The last day up to the latest quarter-hour that is over, times around them included.
    lastDay: fc.integer({ min: 8, max: 88 }).map((k) => pastQuarter - k * QUARTER_HOUR_MS),
  };
  const anchors = (PLAUSIBLE_ANCHORS[mutation] ?? ['over', 'ahead']).map((span) => spans[span]);
  if (hostility > 0) anchors.push(fc.constantFrom(Date.UTC(1000, 0, 1), Date.UTC(1900, 0, 1), Date.UTC(2400, 0, 1), pastQuarter - 11 * 366 * DAY_MS, pastQuarter + 40 * 365 * DAY_MS));
  return fc.oneof(...anchors);
};

const hostilityArb = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.constant(5) }, { weight: 3, arbitrary: fc.constant(12) }, { weight: 2, arbitrary: fc.constant(50) });

function runArb(mutation: GraphQLField<unknown, unknown>, callers: Caller[], known: Known): fc.Arbitrary<Run> {
  return fc
    .record({ caller: fc.constantFrom(...callers), hostility: hostilityArb })
    .chain(({ caller, hostility }) => fc.array(anchorArb(hostility, mutation.name), { minLength: 1, maxLength: 2 }).map((anchors) => ({ caller, hostility, anchors })))
    .chain(({ caller, hostility, anchors }) => {
      const gen: Gen = { mutation: mutation.name, caller, hostility, anchors, known };
      const shape = Object.fromEntries(mutation.args.map((arg) => [arg.name, valueArb(arg.type, arg.name, gen, false, 0)]));
      const requiredKeys = mutation.args.filter((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined).map((arg) => arg.name);
      return fc.record(shape, { requiredKeys }).map((variables): Run => withShortToString({ caller, hostility, variables }));
    });
}

// ---------------------------------------------------------------------------------------------
// Showing inputs and answers: a string of 1.9 MB is shown by its length and head.

function abbreviate(value: unknown): unknown {
  if (typeof value === 'string') return value.length > 120 ? `<${value.length} chars: ${JSON.stringify(value.slice(0, 40))}…>` : value;
  // Lists are bounded (60 elements): shown whole, since the one bad element may be anywhere.
  if (Array.isArray(value)) return value.map(abbreviate);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, abbreviate(inner)]));
  return value;
}

const show = (value: unknown) => JSON.stringify(abbreviate(value));

function withShortToString(run: Run): Run {
  return Object.assign(run, { [fc.toStringMethod]: () => `${run.caller.role} (${run.hostility} % hostile) ${show(run.variables)}` });
}

// ---------------------------------------------------------------------------------------------
// The database's fingerprint: row count and row checksum of every table of the data schemas.

type Fingerprint = Map<string, { rows: number; checksum: string }>;

async function fingerprintQuery(t: TestHub): Promise<string> {
  // Partitions are counted through their parent (metering.readings): one created by a request is not a new table.
  const { rows } = await t.database.handle.pool.query<{ schema: string; name: string }>(
    `SELECT t.table_schema AS schema, t.table_name AS name
     FROM information_schema.tables t
     JOIN pg_namespace n ON n.nspname = t.table_schema
     JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t.table_name
     WHERE t.table_schema = ANY($1) AND t.table_type = 'BASE TABLE' AND NOT c.relispartition
     ORDER BY 1, 2`,
    [DATA_SCHEMAS],
  );
  const tables = rows.map((row) => `${row.schema}.${row.name}`).filter((name) => !MOVED_BY_ANY_REQUEST.has(name));
  for (const needed of [AUDIT, OUTBOX, 'metering.readings']) if (!tables.includes(needed)) throw new Error(`the fingerprint misses ${needed}`);
  return tables
    .map((name) => {
      const [schema, table] = name.split('.');
      return `SELECT '${name}' AS name, count(*)::int AS rows, coalesce(sum(hashtext(x::text)::bigint), 0)::text AS checksum FROM "${schema}"."${table}" x`;
    })
    .join('\nUNION ALL\n');
}

async function fingerprint(t: TestHub, query: string): Promise<Fingerprint> {
  const { rows } = await t.database.handle.pool.query<{ name: string; rows: number; checksum: string }>(query);
  return new Map(rows.map((row) => [row.name, { rows: row.rows, checksum: row.checksum }]));
}

function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  return [...before.keys()].filter((name) => {
    const a = before.get(name)!;
    const b = after.get(name)!;
    return a.rows !== b.rows || a.checksum !== b.checksum;
  });
}

const describeChange = (before: Fingerprint, after: Fingerprint, tables: string[]) =>
  tables.map((name) => `${name} ${before.get(name)!.rows}→${after.get(name)!.rows} rows${before.get(name)!.rows === after.get(name)!.rows ? ' (contents changed)' : ''}`).join(', ');

// ---------------------------------------------------------------------------------------------
// The properties

type Answer = GraphQLHttpResponse<Record<string, unknown>>;

function violations(mutation: string, answer: Answer, before: Fingerprint, after: Fingerprint, lastAuditOperation: string | null): string[] {
  const found: string[] = [];
  const errors = answer.body?.errors ?? [];
  const codes = errors.map((error) => error.extensions?.code);
  // 1. The closed set of codes, and never an internal error.
  if (codes.includes('INTERNAL_SERVER_ERROR') || answer.status >= 500) found.push(`answered INTERNAL_SERVER_ERROR (HTTP ${answer.status})`);
  const unknownCodes = codes.filter((code) => typeof code !== 'string' || !CLOSED_CODES.has(code));
  if (unknownCodes.length > 0) found.push(`error codes outside the closed set: ${JSON.stringify(unknownCodes)}`);
  const data = answer.body?.data?.[mutation];
  const succeeded = data !== null && data !== undefined;
  if (!succeeded && errors.length === 0) found.push('answered neither data nor an error');
  // The selection holds only fields the caller may read: a committed mutation answers cleanly.
  if (succeeded && errors.length > 0) found.push('a mutation that answered data also answered errors');

  const changed = changedTables(before, after);
  const outboxGrowth = after.get(OUTBOX)!.rows - before.get(OUTBOX)!.rows;
  const auditGrowth = after.get(AUDIT)!.rows - before.get(AUDIT)!.rows;
  if (!succeeded) {
    // 2. No partial write; 3. no event, no audit line for an error.
    if (changed.length > 0) found.push(`answered an error but changed the database: ${describeChange(before, after, changed)}`);
  } else {
    // 3. Every event and every change with exactly one audit line, the mutation's own.
    const wrote = changed.some((name) => name !== AUDIT);
    if (outboxGrowth > 0 && auditGrowth === 0) found.push(`wrote ${outboxGrowth} outbox event(s) without an audit line`);
    else if (wrote && auditGrowth !== 1) found.push(`changed ${describeChange(before, after, changed)} with ${auditGrowth} audit lines (expected exactly 1)`);
    if (auditGrowth > 1) found.push(`wrote ${auditGrowth} audit lines`);
    if (auditGrowth === 1 && lastAuditOperation !== mutation) found.push(`its audit line names ${lastAuditOperation}`);
    if (outboxGrowth < 0 || auditGrowth < 0) found.push('removed outbox or audit lines');
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// The hub, its keys and some state for the mutations that act on existing rows

let t: TestHub;
let query: string;
let callers: Caller[];
let known: Known;
/** Makes fresh rows of an entity for one mutation's runs (by the entity's name, as in Known.byEntity). */
let freshRows: Record<string, () => Promise<string[]>>;
/** Mutation → the entity it acts on and the factory of its rows, where its name does not say which or the entity's factory would not do (an offer needs a request published to its offerer). */
let freshRowsFor: Record<string, [entity: string, make: () => Promise<string[]>]>;

async function call<T = Record<string, unknown>>(key: string, document: string, variables: Record<string, unknown>): Promise<T> {
  const { body } = await t.graphql<T>(document, { key, variables });
  if (body.errors?.length) throw new Error(`fixture request failed: ${JSON.stringify(body.errors)}`);
  return body.data!;
}

/** Rows a mutation acting on existing ones may use up: another mutation's runs never see them. */
const FRESH_ROWS_PER_MUTATION = 8;

beforeAll(async () => {
  // No HEMS goes offline during the fuzz: the presence sweep would write between a run's fingerprints.
  t = await startTestHub({ settings: { hemsOfflineAfterS: 86_400 } });
  const { parish } = t;
  const retailer = 'ret-edpc';
  // A customer of that retailer: orders on its feeder are addressed to the retailer whose key acknowledges them.
  const customerPoint = parish.meteringPoints.find((point) => point.retailerId === retailer)!.id;

  // The customer's HEMS (the seed's, or one of the fuzz's own) with devices of the fuzz's, all but the last controllable.
  const pool = t.database.handle.pool;
  const hemsId = parish.hemsSystems.find((system) => system.meteringPointId === customerPoint)?.id ?? 'HEMS-FUZZ';
  await pool.query(`INSERT INTO hems.systems (id, metering_point_id, vendor, installed_at) VALUES ($1, $2, 'Cleanwatts', now()) ON CONFLICT (id) DO NOTHING`, [hemsId, customerPoint]);
  const deviceKinds = ['EV_CHARGER', 'WATER_HEATER', 'HEAT_PUMP', 'AIR_CONDITIONER', 'WASHING_MACHINE', 'DISHWASHER', 'BATTERY', 'PV_INVERTER'] as const;
  const hemsDevices = deviceKinds.map((_, index) => `${hemsId}-FZ${index + 1}`);
  for (const [index, kind] of deviceKinds.entries()) {
    await pool.query(`INSERT INTO hems.devices (id, hems_id, kind, rated_power_kw, controllable) VALUES ($1, $2, $3, $4, $5)`, [hemsDevices[index], hemsId, kind, 2 + index, index < deviceKinds.length - 1]);
  }
  const controllable = hemsDevices.slice(0, -1);

  const keyOf = async (role: Role, organisationId: string): Promise<Caller> => ({ role, organisationId, key: await t.createKey(role, organisationId) });
  callers = await Promise.all([keyOf('dso', 'dso'), keyOf('customer', customerPoint), keyOf('retailer', retailer), keyOf('aggregator', 'agg-flexpt'), keyOf('hems', hemsId)]);
  const dso = callers[0]!;
  const customer = callers[1]!;
  const retailerCaller = callers[2]!;
  // The customer shares its HEMS with its retailer and an aggregator: both steer it and report for it.
  for (const organisationId of [retailer, 'agg-flexpt']) {
    await call(dso.key, `mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id } }`, {
      input: { meteringPointId: customerPoint, organisationId, scopes: ['hems:read'], from: iso(Date.now() - DAY_MS), to: iso(Date.now() + 30 * DAY_MS) },
    });
  }

  const feederOf = (pointId: string) => parish.connections.find((connection) => connection.meteringPointId === pointId)!.feederId;
  const retailerFeeders = [...new Set(parish.meteringPoints.filter((point) => point.retailerId === retailer).map((point) => feederOf(point.id)))];
  const areas = [[feederOf(customerPoint)], retailerFeeders.slice(0, 2), retailerFeeders.slice(2, 3), retailerFeeders.slice(3, 5)];
  const hour = 3_600_000;

  /**
   * Orders in force addressed to the retailer (some started, some ahead), and one more already
   * cancelled: ending it again is a CONFLICT. Each mutation that ends orders gets its own, since
   * its first successful run on an order makes every later one on it a CONFLICT.
   */
  const issueOrders = async () => {
    const now = Date.now();
    const orders: string[] = [];
    for (let index = 0; index <= FRESH_ROWS_PER_MUTATION; index++) {
      const { issueContractedPowerOrder } = await call<{ issueContractedPowerOrder: { id: string } }>(
        dso.key,
        `mutation($input: IssueContractedPowerOrderInput!) { issueContractedPowerOrder(input: $input) { id } }`,
        {
          input: {
            area: { feederIds: areas[index % areas.length] },
            reductionPercent: 10 + (index % 5) * 10,
            start: iso(now + ((index % 4) - 1) * hour),
            expectedEnd: iso(now + 6 * hour),
            reason: `fuzz fixture ${index}`,
          },
        },
      );
      orders.push(issueContractedPowerOrder.id);
    }
    await call(dso.key, `mutation($id: ID!) { cancelContractedPowerOrder(id: $id) { id } }`, { id: orders[FRESH_ROWS_PER_MUTATION] });
    return orders;
  };

  /** Consents in force, granted by the customer and by the DSO, and one more already revoked (revoking it again is a CONFLICT). */
  const otherPoint = parish.meteringPoints.find((point) => point.id !== customerPoint)!.id;
  const grantConsents = async () => {
    const now = Date.now();
    const grant = `mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id } }`;
    const grants = [
      [dso, customerPoint, 'agg-flexpt'],
      [customer, customerPoint, 'ist'],
      [customer, customerPoint, 'agg-flexpt'],
      [dso, otherPoint, 'agg-flexpt'],
    ] as const;
    const consents: string[] = [];
    for (let index = 0; index <= FRESH_ROWS_PER_MUTATION; index++) {
      const [caller, meteringPointId, organisationId] = grants[index % grants.length]!;
      const { grantConsent } = await call<{ grantConsent: { id: string } }>(caller.key, grant, {
        input: { meteringPointId, organisationId, scopes: ['metering:read'], from: iso(now - DAY_MS), to: iso(now + 30 * DAY_MS) },
      });
      consents.push(grantConsent.id);
    }
    await call(dso.key, `mutation($id: ID!) { revokeConsent(id: $id) { id } }`, { id: consents[FRESH_ROWS_PER_MUTATION] });
    return consents;
  };

  /** Maintenances and failures ahead, on the transformer or one of its feeders, and one more already cleared (clearing it again changes nothing). */
  /** Open requests without orders, on the substations in turn: what a revision or a close needs. */
  const createFlexRequests = async () => {
    const requests: string[] = [];
    for (let index = 0; index <= FRESH_ROWS_PER_MUTATION; index++) {
      const substation = parish.secondarySubstations[index % parish.secondarySubstations.length]!.id;
      const { createFlexRequest } = await call<{ createFlexRequest: { id: string } }>(dso.key, `mutation($input: CreateFlexRequestInput!) { createFlexRequest(input: $input) { id } }`, {
        input: flexRequestInput(substation, 10 + index),
      });
      requests.push(createFlexRequest.id);
    }
    return requests;
  };
  const declareConstraints = async () => {
    const now = Date.now();
    const start = Math.ceil(now / QUARTER_HOUR_MS) * QUARTER_HOUR_MS + hour;
    const constraints: string[] = [];
    for (let index = 0; index <= FRESH_ROWS_PER_MUTATION; index++) {
      const substation = parish.secondarySubstations[index % parish.secondarySubstations.length]!.id;
      const feeder = index % 2 === 0 ? parish.feeders.find((candidate) => candidate.secondarySubstationId === substation)!.id : null;
      const { declareGridConstraint } = await call<{ declareGridConstraint: { id: string } }>(
        dso.key,
        `mutation($input: DeclareGridConstraintInput!) { declareGridConstraint(input: $input) { id } }`,
        {
          input: {
            kind: index % 3 === 0 ? 'ASSET_FAILURE' : 'PLANNED_MAINTENANCE',
            secondarySubstationId: substation,
            feederId: feeder,
            start: iso(start + index * hour),
            end: iso(start + (index + 4) * hour),
            description: `fuzz fixture ${index}`,
          },
        },
      );
      constraints.push(declareGridConstraint.id);
    }
    await call(dso.key, `mutation($id: ID!) { clearGridConstraint(id: $id) { id } }`, { id: constraints[FRESH_ROWS_PER_MUTATION] });
    return constraints;
  };
  /**
   * Commands the retailer sent the HEMS, SENT and awaiting an answer for an hour, and one more
   * already EXECUTED (any outcome after it is a CONFLICT). Each mutation that reports outcomes
   * gets its own, since its runs move them on to final outcomes.
   */
  const issueCommands = async () => {
    const start = Math.ceil(Date.now() / QUARTER_HOUR_MS) * QUARTER_HOUR_MS + hour;
    // Every command names an order covering the HEMS: a contracted-power order on its feeder, addressed to the retailer.
    const { issueContractedPowerOrder: order } = await call<{ issueContractedPowerOrder: { id: string } }>(
      dso.key,
      `mutation($input: IssueContractedPowerOrderInput!) { issueContractedPowerOrder(input: $input) { id } }`,
      { input: { area: { feederIds: areas[0] }, reductionPercent: 10, start: iso(Date.now()), expectedEnd: iso(start + 2 * hour), reason: 'fuzz fixture: the commands\' order' } },
    );
    const commands: string[] = [];
    for (let index = 0; index <= FRESH_ROWS_PER_MUTATION; index++) {
      const action = index % 2 === 0 ? { kind: 'CURTAIL', deviceId: controllable[index % controllable.length], targetPowerKw: 1 } : { kind: 'RESTORE' };
      const { issueHemsCommand } = await call<{ issueHemsCommand: { id: string } }>(retailerCaller.key, `mutation($input: IssueHemsCommandInput!) { issueHemsCommand(input: $input) { id } }`, {
        input: { hemsId, ...action, start: iso(start), end: iso(start + hour), reason: 'CONTRACTED_POWER_ORDER', orderId: order.id },
      });
      commands.push(issueHemsCommand.id);
    }
    await call(retailerCaller.key, `mutation($input: ReportHemsCommandOutcomeInput!) { reportHemsCommandOutcome(input: $input) { id } }`, {
      input: { commandId: commands[FRESH_ROWS_PER_MUTATION], status: 'EXECUTED' },
    });
    return commands;
  };
  /**
   * A flex order of the retailer's over the last day and the quarter-hours ahead (written here:
   * orders are for ISPs still to come), with a FLEX_ORDER SHIFT of the retailer's to the fuzz's
   * HEMS for it: what reportActivation reports on. Reporting never uses it up. The SHIFT held a
   * device for the order's first quarter-hour, a day ago, so the flexibility the fuzz offers stays whole.
   */
  const activatableOrder = async () => {
    const from = Math.floor(Date.now() / QUARTER_HOUR_MS) * QUARTER_HOUR_MS - DAY_MS;
    const to = from + DAY_MS + 4 * hour;
    const feederId = areas[0]![0]!;
    const substation = parish.feeders.find((feeder) => feeder.id === feederId)!.secondarySubstationId;
    await pool.query(
      `INSERT INTO flexibility.flex_requests (id, congestion_point_kind, congestion_point_id, secondary_substation_id, status, period_start, period_end, expires_at) VALUES ('fuzz-fr', 'FEEDER', $1, $2, 'OPEN', $3, $4, $3)`,
      [feederId, substation, new Date(from), new Date(to)],
    );
    await pool.query(
      `INSERT INTO flexibility.flex_offers (id, request_id, request_revision, organisation_id, status, price_eur_per_kwh, expires_at, idempotency_key, content_hash) VALUES ('fuzz-fof', 'fuzz-fr', 1, $1, 'ORDERED', 0.1, $2, 'fuzz-fof', 'fuzz')`,
      [retailer, new Date(from)],
    );
    await pool.query(`INSERT INTO flexibility.flex_offer_isps (offer_id, start, kw) SELECT 'fuzz-fof', s, 5 FROM generate_series($1::timestamptz, $2::timestamptz - interval '15 minutes', interval '15 minutes') s`, [new Date(from), new Date(to)]);
    await pool.query(`INSERT INTO flexibility.flex_orders (id, offer_id, request_id, organisation_id, status, activation_factor) VALUES ('fuzz-fo', 'fuzz-fof', 'fuzz-fr', $1, 'ORDERED', 1)`, [retailer]);
    await pool.query(
      `INSERT INTO hems.commands (id, hems_id, device_id, kind, start, "end", reason, order_id, issuer_id, issued_by_key_id, expires_at, status) VALUES ('fuzz-hc-flex', $1, $5, 'SHIFT', $2, $3, 'FLEX_ORDER', 'fuzz-fo', $4, 'fuzz', $3, 'EXECUTED')`,
      [hemsId, new Date(from), new Date(from + QUARTER_HOUR_MS), retailer, controllable[0]],
    );
    return ['fuzz-fo'];
  };
  /**
   * The fuzz HEMS's controllable devices may each be held off up to 4 hours at any time of day, and
   * it is online: the flexibility the retailer and the aggregator it is shared with offer.
   */
  for (const deviceId of controllable) {
    await pool.query(
      `INSERT INTO hems.flexible_loads (id, hems_id, device_id, earliest_start_minute, latest_end_minute, max_shift_minutes, min_run_minutes, priority, opted_out) VALUES ($1, $2, $3, 0, 0, 240, 15, 1, false)`,
      [`FL-${deviceId}`, hemsId, deviceId],
    );
  }
  await pool.query(`UPDATE hems.systems SET online = true, last_seen_at = now() WHERE id = $1`, [hemsId]);
  // Two hours of ISPs from four hours ahead: clear of the fixture's commands, and open to offers throughout the fuzz.
  const firstFlexIspMs = Math.ceil(Date.now() / QUARTER_HOUR_MS) * QUARTER_HOUR_MS + 4 * hour;
  const flexIsps = Array.from({ length: 8 }, (_, n) => iso(firstFlexIspMs + n * QUARTER_HOUR_MS));
  let offerCount = 0;
  /** An open request on the fuzz HEMS's feeder over flexIsps, taking offers until its first ISP: published to the retailer and the aggregator. */
  const offerableRequest = async (minKw: number) => {
    const { createFlexRequest } = await call<{ createFlexRequest: { id: string } }>(dso.key, `mutation($input: CreateFlexRequestInput!) { createFlexRequest(input: $input) { id } }`, {
      input: { congestionPointId: areas[0]![0], isps: flexIsps.map((start) => ({ start, minKw, maxKw: 50 })), expiresAt: flexIsps[0] },
    });
    return createFlexRequest.id;
  };
  const submitOffer = async (caller: Caller, flexRequestId: string, kw: number) => {
    const { submitFlexOffer } = await call<{ submitFlexOffer: { id: string } }>(caller.key, `mutation($input: SubmitFlexOfferInput!) { submitFlexOffer(input: $input) { id } }`, {
      input: { flexRequestId, isps: flexIsps.map((start) => ({ start, kw })), priceEurPerKwh: 0.2, expiresAt: flexIsps[0], idempotencyKey: `fuzz-fixture-offer-${++offerCount}` },
    });
    return submitFlexOffer.id;
  };
  /** Requests without offers: what an offer answers. */
  const offerableRequests = async () => {
    const requests: string[] = [];
    for (let index = 0; index < FRESH_ROWS_PER_MUTATION; index++) requests.push(await offerableRequest(1));
    return requests;
  };
  /** Open offers of 1 kW, the retailer's and the aggregator's in turn, on one request with room to order them all: ordering or revoking one uses it up. */
  const openOffers = async () => {
    const requestId = await offerableRequest(1);
    const offers: string[] = [];
    for (let index = 0; index < FRESH_ROWS_PER_MUTATION; index++) offers.push(await submitOffer(index % 2 === 0 ? retailerCaller : callers[3]!, requestId, 1));
    return offers;
  };
  /** Requests asking 1 kW, each with an open offer of 2 kW of the retailer's: a sufficient set that autoSelect orders. */
  const offeredRequests = async () => {
    const requests: string[] = [];
    for (let index = 0; index < FRESH_ROWS_PER_MUTATION; index++) {
      const requestId = await offerableRequest(1);
      await submitOffer(retailerCaller, requestId, 2);
      requests.push(requestId);
    }
    return requests;
  };
  /** A critical-peak scheme, published: the seed has none. */
  await pool.query(
    `INSERT INTO tariffs.schemes (id, family, version, name, kind, cycle, status, power_price_nano_eur_per_kva_day, valid_from, published_at)
     VALUES ('FUZZ-CPP', 'FUZZ-CPP', 1, 'fuzz critical peak', 'CRITICAL_PEAK', 'DAILY', 'PUBLISHED', 50000000, '2020-01-01', now())`,
  );
  const localDays = (await pool.query<{ day: string }>(`SELECT to_char((now() AT TIME ZONE 'Europe/Lisbon')::date + n, 'YYYY-MM-DD') AS day FROM generate_series(2, 6) AS n`)).rows.map((row) => row.day);
  /**
   * Pending enrolments the retailer accepted for points it supplies (the customer's own left to the
   * runs): withdrawing one cancels it, after which it is NOT_FOUND. Points with an enrolment open already are skipped.
   */
  const acceptEnrolments = async () => {
    const points: string[] = [];
    for (const point of parish.meteringPoints.filter((candidate) => candidate.retailerId === retailer && candidate.id !== customerPoint)) {
      if (points.length === FRESH_ROWS_PER_MUTATION) break;
      const { body } = await t.graphql(`mutation($input: AcceptPilotEnrolmentInput!) { acceptPilotEnrolment(input: $input) { id } }`, {
        key: retailerCaller.key,
        variables: { input: { meteringPointId: point.id, schemeId: 'FUZZ-CPP', startsOn: localDays[0] } },
      });
      if (!body.errors) points.push(point.id);
    }
    return points;
  };
  /** Draft scheme versions, and one more already published (publishing it again changes nothing): publishing a draft uses it up. */
  const draftSchemes = async () => {
    const schemes: string[] = [];
    for (let index = 0; index <= FRESH_ROWS_PER_MUTATION; index++) {
      const { createTariffScheme } = await call<{ createTariffScheme: { id: string } }>(dso.key, `mutation($input: CreateTariffSchemeInput!) { createTariffScheme(input: $input) { id } }`, {
        input: { name: `fuzz draft ${index}`, kind: 'FLAT', energyPrices: [{ period: 'all', energyPriceEurPerKwh: 0.15 }], powerPriceEurPerKvaDay: 0.05, validFrom: localDays[0], publish: index === FRESH_ROWS_PER_MUTATION },
      });
      schemes.push(createTariffScheme.id);
    }
    return schemes;
  };
  freshRows = {
    ContractedPowerOrder: issueOrders,
    Consent: grantConsents,
    FlexRequest: createFlexRequests,
    FlexOffer: openOffers,
    GridConstraint: declareConstraints,
    HemsCommand: issueCommands,
    PilotEnrolment: acceptEnrolments,
    TariffScheme: draftSchemes,
  };
  freshRowsFor = { submitFlexOffer: ['FlexRequest', offerableRequests], orderFlex: ['FlexOffer', openOffers], autoSelectFlexOffers: ['FlexRequest', offeredRequests] };
  // A day of readings of three points behind one secondary substation: the calibrations' sample (local 5 October 2026, summer time).
  const calibrationFeeder = parish.feeders.find((feeder) => parish.connections.filter((connection) => connection.feederId === feeder.id).length >= 3)!;
  const calibrationPoints = parish.connections.filter((connection) => connection.feederId === calibrationFeeder.id).slice(0, 3).map((connection) => connection.meteringPointId);
  const calibrationFrom = Date.parse('2026-10-04T23:00:00.000Z');
  await call(dso.key, `mutation($input: IngestReadingsInput!) { ingestReadings(input: $input) { inserted } }`, {
    input: {
      idempotencyKey: 'fuzz-calibration-day',
      readings: calibrationPoints.flatMap((meteringPointId, p) =>
        Array.from({ length: 96 }, (_, q) => ({ meteringPointId, intervalStart: iso(calibrationFrom + q * QUARTER_HOUR_MS), importWh: 50 + ((p * 37 + q * 11) % 400), exportWh: 0 })),
      ),
    },
  });

  known = {
    meteringPoints: parish.meteringPoints.map((point) => point.id),
    secondarySubstations: parish.secondarySubstations.map((substation) => substation.id),
    primarySubstations: parish.primarySubstations.map((substation) => substation.id),
    feeders: parish.feeders.map((feeder) => feeder.id),
    feedersOf: Object.fromEntries(parish.secondarySubstations.map((substation) => [substation.id, parish.feeders.filter((feeder) => feeder.secondarySubstationId === substation.id).map((feeder) => feeder.id)])),
    organisations: [...parish.organisations.map((organisation) => organisation.id), customerPoint],
    consentHolders: parish.organisations.filter((organisation) => (CONSENT_ROLES as readonly string[]).includes(organisation.kind)).map((organisation) => organisation.id),
    hems: [hemsId, hemsId, hemsId, hemsId, ...parish.hemsSystems.filter((system) => system.id !== hemsId).slice(0, 1).map((system) => system.id)],
    hemsDevices,
    retailerPoints: parish.meteringPoints.filter((point) => point.retailerId === retailer).map((point) => point.id),
    tariffSchemes: [...parish.tariffSchemes.map((scheme) => scheme.id), 'FUZZ-CPP'],
    criticalPeakSchemes: ['FUZZ-CPP'],
    localDays,
    flexIsps,
    calibration: {
      from: iso(calibrationFrom),
      to: iso(calibrationFrom + DAY_MS),
      day: '2026-10-05',
      points: calibrationPoints,
      secondarySubstationId: calibrationFeeder.secondarySubstationId,
    },
    // Ids other mutations' arguments may name (an ID field with no known values draws from them); never used up.
    byEntity: {
      ContractedPowerOrder: await issueOrders(),
      Consent: await grantConsents(),
      FlexRequest: [...parish.flexRequests.map((request) => request.id), ...(await createFlexRequests())],
      GridConstraint: await declareConstraints(),
      HemsCommand: await issueCommands(),
      FlexOrder: await activatableOrder(),
      FlexOffer: await openOffers(),
      // Filled per mutation (freshRows): a withdrawal uses up its enrolment.
      PilotEnrolment: [],
      TariffScheme: await draftSchemes(),
    },
  };
  query = await fingerprintQuery(t);
}, 120_000);

afterAll(() => t?.stop());

/** Entity → the field other than `id` naming the row a mutation acts on (an outcome is reported for a `commandId`). */
const ROW_FIELDS: Record<string, string> = { HemsCommand: 'commandId', PilotEnrolment: 'meteringPointId' };

/** Whether the mutation takes the field, as an argument or in its input. */
function takes(mutation: GraphQLField<unknown, unknown>, field: string): boolean {
  return mutation.args.some((arg) => {
    const type = getNamedType(arg.type);
    return arg.name === field || (isInputObjectType(type) && field in type.getFields());
  });
}

/**
 * The known ids for one mutation's runs: a mutation whose `id` (or the entity's row field) names
 * an entity with a factory (ending an order, revoking a consent, reporting a command's outcome),
 * or one freshRowsFor names (ordering an offer, offering on a request), gets rows of its own,
 * which no earlier mutation's runs have used up.
 */
async function knownFor(mutation: GraphQLField<unknown, unknown>): Promise<Known> {
  const named = Object.keys(known.byEntity).find((name) => mutation.name.includes(name) && takes(mutation, ROW_FIELDS[name] ?? 'id'));
  const [entity, make] = freshRowsFor[mutation.name] ?? (named ? [named, freshRows[named]] : [undefined, undefined]);
  return entity && make ? { ...known, byEntity: { ...known.byEntity, [entity]: await make() } } : known;
}

/**
 * Runs of a mutation that must answer data (reach the writes): with fewer, the checks of what a
 * successful mutation writes (events, audit line) ran too rarely to mean anything.
 */
const MIN_SUCCESSFUL_RUNS = Math.max(1, Math.round((RUNS_PER_MUTATION * 3) / 40));

/** A seed per mutation, from its name: adding a mutation does not change the runs of the others. */
const seedOf = (name: string) => [...name].reduce((hash, char) => (Math.imul(hash, 31) + char.charCodeAt(0)) | 0, BASE_SEED);

describe('every mutation of the supergraph under fuzzed input', () => {
  it('finds the mutations in the supergraph and who may call each in the resolvers', () => {
    expect(MUTATIONS.length).toBeGreaterThan(0);
    const unauthorised = MUTATIONS.filter((mutation) => !AUTHORIZED.has(`Mutation.${mutation.name}`)).map((mutation) => mutation.name);
    expect(unauthorised).toEqual([]);
  });

  it.each(MUTATIONS.map((mutation) => [mutation.name, mutation] as const))(
    'Mutation.%s: never an internal error, no partial write, no event or audit line without its change',
    async (name, mutation) => {
      const scopes = AUTHORIZED.get(`Mutation.${name}`);
      if (!scopes) throw new Error(`add a fuzz arbitrary for Mutation.${name}: no @Authorized resolver for it in subgraphs/*/*.resolver.ts`);
      const allowed = callers.filter((caller) => holds(caller, scopes));
      if (allowed.length === 0) throw new Error(`add a fuzz arbitrary for Mutation.${name}: no fuzz key holds ${scopes.join(' or ')}`);
      const documents = new Map(allowed.map((caller) => [caller, documentFor(mutation, caller)]));
      const arbitrary = runArb(mutation, allowed, await knownFor(mutation));
      // Building one value surfaces a missing generator as the test's failure, not as a failing run.
      fc.sample(arbitrary, { numRuns: 1, seed: seedOf(name) });

      const reported: string[] = [];
      // How the runs ended (code, or ok), printed with MH_FUZZ_OUTCOMES=1: a fuzz whose runs never reach the writes tests little.
      const outcomes = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(arbitrary, async (run) => {
          const before = await fingerprint(t, query);
          const sentAt = Date.now();
          const answer = (await t.graphql(documents.get(run.caller)!, { key: run.caller.key, variables: run.variables })) as Answer;
          const answerMs = Date.now() - sentAt;
          const after = await fingerprint(t, query);
          const audited = after.get(AUDIT)!.rows > before.get(AUDIT)!.rows;
          const last = audited ? (await t.database.handle.pool.query<{ operation: string }>('SELECT operation FROM hub.audit_log ORDER BY id DESC LIMIT 1')).rows[0]!.operation : null;
          const found = violations(name, answer, before, after, last);
          if (answerMs > MAX_ANSWER_MS) found.push(`took ${answerMs} ms to answer`);
          const outcome = answer.body?.data?.[name] ? 'ok' : String(answer.body?.errors?.[0]?.extensions?.code ?? answer.status);
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
          if (found.length === 0) return;
          const report = [
            `Mutation.${name} as ${run.caller.role} (${run.hostility} % hostile): ${found.join('; ')}`,
            `  variables: ${show(run.variables)}`,
            `  response: HTTP ${answer.status} in ${answerMs} ms ${show(answer.body)}`,
          ].join('\n');
          if (!REPORT_ALL) throw new Error(report);
          reported.push(report);
        }),
        // No shrinking: every run changes the database, so replaying an input is not the same
        // experiment (a consent revoked once is a CONFLICT the second time). The failing input
        // is reported as sent, and the seed replays the whole sequence on a fresh hub.
        { seed: seedOf(name), numRuns: RUNS_PER_MUTATION, endOnFailure: true },
      );
      if (process.env.MH_FUZZ_OUTCOMES === '1') console.log(`Mutation.${name}: ${JSON.stringify(Object.fromEntries(outcomes))}`);
      if (reported.length > 0) throw new Error(`${reported.length} violating runs:\n${reported.join('\n\n')}`);
      const succeeded = outcomes.get('ok') ?? 0;
      if (succeeded < MIN_SUCCESSFUL_RUNS) {
        throw new Error(
          `Mutation.${name}: only ${succeeded} of ${RUNS_PER_MUTATION} runs answered data (at least ${MIN_SUCCESSFUL_RUNS} must), so what a successful call writes was hardly checked; the runs ended ${JSON.stringify(Object.fromEntries(outcomes))}`,
        );
      }
    },
    90_000,
  );
});
