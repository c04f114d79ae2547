import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildASTSchema, getOperationAST, getVariableValues, isObjectType, parse, validate, type GraphQLField, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ROLE_SCOPES, type Scope } from '../../schema/access';
import { IDENTITY_HEADER, ROLES, signIdentity, type Role } from '../../schema/identity';
import { localTimeUtcMs } from '../../subgraphs/hems/flex-availability.rules';
import { lisbonLocalDay } from '../../subgraphs/kit/calendar';
import { latestOutboxId } from '../../subgraphs/kit/outbox-tail';
import { flexRequestInput } from '../../tools/testing/flex-request-input';
import { postGraphQL, startTestHub, type TestHub } from '../../tools/testing/hub-fixture';
import { operationForField, type FieldOperation, type RootOperation } from '../../tools/testing/operation-for-field';

/**
 * Who may call what: for each root field of the supergraph, the roles whose default key gets past
 * authorization. Written by hand from the product rules (README, the `@Authorized` scopes of the
 * resolvers, each role's default scopes in schema/access.ts), never derived from ROLE_SCOPES at
 * run time: it is the independent statement the hub is checked against. "Past authorization"
 * does not mean "gets data": an order not addressed to the caller is NOT_FOUND, an empty list is
 * a list. Every role not listed must get FORBIDDEN and nothing else.
 */
const AUTHORIZATION: Readonly<Record<string, readonly Role[]>> = {
  // Flexibility (flex:read): the DSO, the market's parties and those who study it; orders
  // themselves reach only the DSO and the addressed retailers, flexibility requests only the DSO
  // and the organisations they were published to (row level: NOT_FOUND, empty lists: a
  // stakeholder gets past and finds none). Customers are not market parties.
  'Query.contractedPowerOrder': ['dso', 'retailer', 'aggregator', 'regulator', 'tso', 'researcher', 'developer'],
  'Query.contractedPowerOrders': ['dso', 'retailer', 'aggregator', 'regulator', 'tso', 'researcher', 'developer'],
  'Query.flexRequest': ['dso', 'retailer', 'aggregator', 'regulator', 'tso', 'researcher', 'developer'],
  'Query.flexRequests': ['dso', 'retailer', 'aggregator', 'regulator', 'tso', 'researcher', 'developer'],
  'Query.contractedPowerOrderEvent': ['dso', 'retailer', 'aggregator', 'regulator', 'tso', 'researcher', 'developer'],
  'Query.flexRequestEvent': ['dso', 'retailer', 'aggregator', 'regulator', 'tso', 'researcher', 'developer'],
  'Query.flexOrder': ['dso', 'retailer', 'aggregator', 'regulator', 'tso', 'researcher', 'developer'],
  'Query.flexOrders': ['dso', 'retailer', 'aggregator', 'regulator', 'tso', 'researcher', 'developer'],
  'Query.flexOrderEvent': ['dso', 'retailer', 'aggregator', 'regulator', 'tso', 'researcher', 'developer'],
  // Any verified key: who am I, and the network's topology (public infrastructure). A HEMS's own key too.
  'Query.me': ['dso', 'retailer', 'aggregator', 'customer', 'regulator', 'tso', 'researcher', 'developer', 'hems'],
  'Query.secondarySubstation': ['dso', 'retailer', 'aggregator', 'customer', 'regulator', 'tso', 'researcher', 'developer', 'hems'],
  'Query.secondarySubstations': ['dso', 'retailer', 'aggregator', 'customer', 'regulator', 'tso', 'researcher', 'developer', 'hems'],
  // Pushed events (events:read): everyone; a customer receives only events addressed to it (its critical-peak events).
  'Query.hubEvent': ['dso', 'retailer', 'aggregator', 'customer', 'regulator', 'tso', 'researcher', 'developer'],
  // Who read a point's data: its customer and the DSO (consent:manage or audit:read).
  'Query.dataAccessLog': ['dso', 'customer'],
  // The hub's audit trail: the DSO only (audit:read).
  'Query.auditLog': ['dso'],
  // Consents (consent:manage or metering:read): the customer its own, the DSO all, consent
  // holders theirs. A retailer holds metering:read, so it gets past and sees an empty list.
  'Query.consents': ['dso', 'retailer', 'aggregator', 'customer', 'researcher'],
  // Aggregates (metering:aggregate): everyone but a customer, under the disclosure rules.
  'Query.demand': ['dso', 'retailer', 'aggregator', 'regulator', 'tso', 'researcher', 'developer'],
  // Individual points (metering:read): DSO, retailers, the customer, consent holders.
  'Query.meteringPoint': ['dso', 'retailer', 'aggregator', 'customer', 'researcher'],
  'Query.meteringPoints': ['dso', 'retailer', 'aggregator', 'customer', 'researcher'],
  // Tariff plans (tariffs:read): not the aggregator nor the TSO.
  'Query.tariffs': ['dso', 'retailer', 'customer', 'regulator', 'researcher', 'developer'],
  // Scheme versions (tariffs:read): the published ones to every tariffs:read holder, drafts the DSO's (row level: null, left out).
  'Query.tariffScheme': ['dso', 'retailer', 'customer', 'regulator', 'researcher', 'developer'],
  'Query.tariffSchemes': ['dso', 'retailer', 'customer', 'regulator', 'researcher', 'developer'],
  // The grid's results for an area (grid:read or flex:trade): the DSO and the TSO everywhere,
  // retailers and aggregators where they have customers (an empty list, NOT_FOUND for a run elsewhere).
  // Regulators, researchers and developers hold neither: refused, not shown empty lists.
  'Query.gridConstraints': ['dso', 'retailer', 'aggregator', 'tso'],
  'Query.powerFlowRun': ['dso', 'retailer', 'aggregator', 'tso'],
  // Forecasts (metering:read for a point's, grid:operate for an area's): whoever reads points, and
  // the DSO; which scope a given scope argument needs is the resolver's own check.
  'Query.forecast': ['dso', 'retailer', 'aggregator', 'customer', 'researcher'],
  'Query.forecastAccuracy': ['dso', 'retailer', 'aggregator', 'customer', 'researcher'],
  // HEMS (hems:read): the customer its own, a retailer those its customers share with it, an
  // aggregator or researcher under a consent, the DSO those behind an active order (row level:
  // NOT_FOUND, empty lists). A HEMS's own key reads nothing, not even its own HEMS.
  'Query.hems': ['dso', 'retailer', 'aggregator', 'customer', 'researcher'],
  'Query.hemsSystems': ['dso', 'retailer', 'aggregator', 'customer', 'researcher'],
  // Commands (hems:read): their issuer and the HEMS's customer see them, the DSO those sent for flex
  // orders; an aggregator that sent none or a researcher get past and find none (NOT_FOUND, an empty list).
  'Query.hemsCommand': ['dso', 'retailer', 'aggregator', 'customer', 'researcher'],
  'Query.hemsCommands': ['dso', 'retailer', 'aggregator', 'customer', 'researcher'],
  // Available flexibility (hems:read): the DSO's totals, a retailer's or aggregator's HEMS shared
  // with it. The customer and the researcher hold hems:read, but the resolver refuses them whole.
  'Query.availableFlexibility': ['dso', 'retailer', 'aggregator'],
  // Critical-peak events (tariffs:read): as public as the published schemes they belong to.
  'Query.criticalPeakEvents': ['dso', 'retailer', 'customer', 'regulator', 'researcher', 'developer'],
  // Pilot enrolments (tariffs:read): the DSO all, a retailer its customers', a customer its own (row level: empty lists).
  'Query.pilotEnrolments': ['dso', 'retailer', 'customer', 'regulator', 'researcher', 'developer'],
  // Bills (tariffs:read): the DSO any point, a customer its own, a retailer its points over its supply periods, a consent holder
  // within the consent (row level: NOT_FOUND). Regulators and developers hold tariffs:read and find no point.
  'Query.bill': ['dso', 'retailer', 'customer', 'regulator', 'researcher', 'developer'],
  // Peak hours, comparisons and KPIs (tariffs:read): the DSO any scope; points only to who reads each one by one, a portfolio
  // to its retailer, an area to anyone but a customer under the aggregate rule (row level: FORBIDDEN for that scope).
  'Query.peakHours': ['dso', 'retailer', 'customer', 'regulator', 'researcher', 'developer'],
  'Query.compareSchemes': ['dso', 'retailer', 'customer', 'regulator', 'researcher', 'developer'],
  'Query.tariffKpis': ['dso', 'retailer', 'customer', 'regulator', 'researcher', 'developer'],

  // The DSO's operations (flex:operate), and nobody else's: it runs the market it does not trade on.
  'Mutation.issueContractedPowerOrder': ['dso'],
  'Mutation.restoreContractedPowerOrder': ['dso'],
  'Mutation.cancelContractedPowerOrder': ['dso'],
  'Mutation.createFlexRequest': ['dso'],
  'Mutation.reviseFlexRequest': ['dso'],
  'Mutation.closeFlexRequest': ['dso'],
  'Mutation.settleFlexOrders': ['dso'],
  'Mutation.orderFlex': ['dso'],
  'Mutation.autoSelectFlexOffers': ['dso'],
  // Operating the grid (grid:operate): declaring and clearing constraints, running power flows.
  'Mutation.declareGridConstraint': ['dso'],
  'Mutation.clearGridConstraint': ['dso'],
  'Mutation.runPowerFlow': ['dso'],
  // Acknowledging (flex:trade): retailers; an aggregator trades too, so it gets past and finds
  // no order addressed to it (NOT_FOUND).
  'Mutation.acknowledgeContractedPowerOrder': ['retailer', 'aggregator'],
  // Offering (flex:trade): the retailers and aggregators that trade the market; the fixture's request is
  // published to both, and an offer id neither made is NOT_FOUND past authorization.
  'Mutation.submitFlexOffer': ['retailer', 'aggregator'],
  'Mutation.revokeFlexOffer': ['retailer', 'aggregator'],
  // Reporting an activation (flex:trade): the offerers; a generated order id is NOT_FOUND past authorization.
  'Mutation.reportActivation': ['retailer', 'aggregator'],
  // Consents (consent:manage): the customer for its own point, the DSO on its behalf.
  'Mutation.grantConsent': ['dso', 'customer'],
  'Mutation.revokeConsent': ['dso', 'customer'],
  // Ingest (metering:write): the DSO only.
  'Mutation.ingestMeterEvents': ['dso'],
  'Mutation.ingestSubstationMeasurements': ['dso'],
  'Mutation.ingestReadings': ['dso'],
  // A customer's conditions (hems:read, then mayConditionHems): the customer, or the retailer it
  // shares its HEMS with. The DSO, an aggregator or a researcher that sees the HEMS is FORBIDDEN.
  'Mutation.setFlexibleLoads': ['retailer', 'customer'],
  // Steering a HEMS (hems:control): the parties that trade flexibility, never the DSO (neutrality).
  'Mutation.issueHemsCommand': ['retailer', 'aggregator'],
  // Reporting for a HEMS (hems:report or hems:control): its own key, or the platform that steers it.
  'Mutation.reportHemsCommandOutcome': ['retailer', 'aggregator', 'hems'],
  'Mutation.reportHemsTelemetry': ['retailer', 'aggregator', 'hems'],
  // Announcing critical-peak events (tariffs:write): the DSO only.
  'Mutation.announceCriticalPeakEvent': ['dso'],
  // Writing scheme versions and calibrating them (tariffs:write): the DSO only.
  'Mutation.createTariffScheme': ['dso'],
  'Mutation.publishTariffScheme': ['dso'],
  'Mutation.calibrateRevenueNeutral': ['dso'],
  // The pilot's parties (tariffs:read, then the resolver): the customer and its retailer. The DSO
  // and the stakeholders holding tariffs:read are FORBIDDEN: the DSO is neutral between them.
  'Mutation.acceptPilotEnrolment': ['retailer', 'customer'],
  'Mutation.withdrawPilotEnrolment': ['retailer', 'customer'],

  // Push: orders to the market's parties (flex:read), every event to events:read holders.
  'Subscription.contractedPowerOrders': ['dso', 'retailer', 'aggregator', 'regulator', 'tso', 'researcher', 'developer'],
  'Subscription.flexRequests': ['dso', 'retailer', 'aggregator', 'regulator', 'tso', 'researcher', 'developer'],
  'Subscription.flexOrders': ['dso', 'retailer', 'aggregator', 'regulator', 'tso', 'researcher', 'developer'],
  'Subscription.hubEvents': ['dso', 'retailer', 'aggregator', 'customer', 'regulator', 'tso', 'researcher', 'developer'],
};

/** Root fields federation adds to subgraphs; they never belong in the client's API. */
const FEDERATION_PLUMBING = new Set(['_entities', '_service']);

interface RootField {
  /** `Type.field`, as in the table. */
  name: string;
  operation: RootOperation;
  field: GraphQLField<unknown, unknown>;
}

function readSupergraph(): GraphQLSchema {
  const sdl = readFileSync(path.join(__dirname, '../../schema/supergraph.graphql'), 'utf8');
  // The supergraph declares every join__/link__ definition it uses, so it builds as it is.
  return buildASTSchema(parse(sdl), { assumeValidSDL: true });
}

function rootFieldsOf(schema: GraphQLSchema): RootField[] {
  const roots: [RootOperation, GraphQLObjectType | null | undefined][] = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ];
  return roots.flatMap(([operation, type]) =>
    type
      ? Object.values(type.getFields())
          .filter((field) => !FEDERATION_PLUMBING.has(field.name))
          .map((field) => ({ name: `${type.name}.${field.name}`, operation, field }))
      : [],
  );
}

const SUPERGRAPH = readSupergraph();
const ROOT_FIELDS = rootFieldsOf(SUPERGRAPH);

/** What one role got for one field: the error codes, and whether the field carried data. */
interface Outcome {
  codes: string[];
  /** The field's value was neither null nor absent. */
  hasData: boolean;
  /** Error paths, to check that a refusal is the field's. */
  paths: (readonly (string | number)[] | undefined)[];
  /** A subscription got past everything and runs (its twin was refused the key's only slot). */
  running?: boolean;
  /** Set when the answer tells nothing about authorization (the socket closed first). */
  inconclusive?: string;
  /** For failure messages. */
  summary: string;
}

type ErrorLike = { message?: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> };

const codesOf = (errors: readonly ErrorLike[] | undefined) => (errors ?? []).map((error) => String(error.extensions?.code ?? 'NO_CODE'));

let t: TestHub;
const httpKeys = new Map<Role, string>();

/**
 * The matrix's HEMS, with one controllable device: the hems key is bound to it, and it is the
 * customer's (the small parish may have none of its own).
 */
const MATRIX_HEMS_ID = 'HEMS-MATRIX';
const MATRIX_DEVICE_ID = 'HEMS-MATRIX-D1';

/** Where the matrix's HEMS is: a point the retailer supplies, without a HEMS of the seed's. */
function matrixHemsPoint() {
  return t.parish.meteringPoints.find((point) => point.retailerId === organisationOf('retailer') && !t.parish.hemsSystems.some((system) => system.meteringPointId === point.id))!;
}

/** Each role's organisation; a customer's is a metering point (CPE), the matrix HEMS's; a HEMS key's, its HEMS. */
function organisationOf(role: Role): string {
  switch (role) {
    case 'dso':
      return 'dso';
    case 'retailer':
      return 'ret-edpc';
    case 'aggregator':
      return 'agg-flexpt';
    case 'regulator':
      return 'erse';
    case 'tso':
      return 'ren';
    case 'researcher':
      return 'ist';
    case 'developer':
      return 'dev-sandbox';
    case 'customer':
      return matrixHemsPoint().id;
    case 'hems':
      return MATRIX_HEMS_ID;
  }
}

const feederOf = (pointId: string) => t.parish.feeders.find((f) => f.id === t.parish.connections.find((c) => c.meteringPointId === pointId)!.feederId)!;

/** The retailer's first point and its feeder: where the cases that need rows of the retailer's have them. */
function retailerArea() {
  const point = t.parish.meteringPoints.find((p) => p.retailerId === organisationOf('retailer'))!;
  return { point, feeder: feederOf(point.id) };
}

const HOUR_MS = 3_600_000;
const QUARTER_MS = 900_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A role's request, expected to succeed: the fixture's rows. */
async function asRole<T>(role: Role, query: string, variables: Record<string, unknown>): Promise<T> {
  const { body } = await t.graphql<T>(query, { key: httpKeys.get(role)!, variables });
  expect(body.errors).toBeUndefined();
  return body.data!;
}

const asDso = <T>(query: string, variables: Record<string, unknown>) => asRole<T>('dso', query, variables);

const ISSUE_COMMAND = (selection: string) => `mutation($input: IssueHemsCommandInput!) { issueHemsCommand(input: $input) { id ${selection} } }`;

/** The contracted-power order in force on the matrix HEMS's feeder (createRootFixture's): what its commands are for. */
let matrixOrderId: string;

/** A curtailment of the matrix HEMS's device an hour ahead, for the order on its feeder: what a retailer sends it. */
function matrixCommandInput() {
  const start = Math.ceil(Date.now() / QUARTER_MS) * QUARTER_MS + HOUR_MS;
  return { hemsId: MATRIX_HEMS_ID, deviceId: MATRIX_DEVICE_ID, kind: 'CURTAIL', targetPowerKw: 3, start: iso(start), end: iso(start + HOUR_MS), reason: 'CONTRACTED_POWER_ORDER', orderId: matrixOrderId };
}

/** The newest event of a type, which the fixture's last mutation made: nothing else makes HEMS or flex offer and order events meanwhile. */
async function newestEventId(type: 'HEMS_STATUS' | 'HEMS_COMMAND' | 'FLEX_OFFER' | 'FLEX_ORDER'): Promise<string> {
  const { rows } = await t.database.handle.pool.query<{ id: string | null }>('SELECT max(id)::text AS id FROM hub.outbox WHERE type = $1', [type]);
  expect({ type, id: rows[0]?.id ?? null }).toEqual({ type, id: expect.any(String) });
  return rows[0]!.id!;
}

/** Rows some root cases are called on, where generated arguments would tell nothing. */
interface RootFixture {
  /**
   * An hour's power-flow run on the retailer's secondary substation, behind which the aggregator
   * holds a consent too: every role the table lets in sees it, so a null would be a refusal.
   */
  powerFlowRunId: string;
  /**
   * The feeder of the matrix HEMS, which every role holding hems:read sees: it is the customer's,
   * shared with the retailer, consented to the aggregator and the researcher, and behind an order
   * the DSO has in force. A refusal after @Authorized is then the resolver's, never a NOT_FOUND.
   */
  hemsFeederId: string;
  /** A command the retailer sent the matrix HEMS, still SENT: its issuer and the HEMS's key may report on it. */
  hemsCommandId: string;
  /** Quarter-hours ahead to ask for available flexibility in. */
  flexWindow: { from: string; to: string };
  /**
   * A flexibility request on the retailer's feeder, where the aggregator holds a consent too: it
   * is published to both, so an offer to it is the offer's own refusal or an offer, never a NOT_FOUND.
   */
  flexRequest: { id: string; firstIspStart: string };
}

/** A time older than any report or outcome the hub takes: refused once past authorization, and nothing written. */
const LONG_AGO = '2024-01-01T00:00:00.000Z';

/**
 * The arguments of the root cases the generated ones do not do for (`Type.field` → argument →
 * its value, over the generated): a nullable field answering null for a made-up id says nothing
 * of who got past authorization.
 */
const ROOT_ARGUMENTS: Readonly<Record<string, Readonly<Record<string, (f: RootFixture) => unknown>>>> = {
  // A published scheme of the seed, which every tariffs:read holder sees: a null is then a refusal.
  'Query.tariffScheme': { id: () => 'TP-SIMPLES' },
  'Query.powerFlowRun': { id: (f) => f.powerFlowRunId },
  'Query.hems': { id: () => MATRIX_HEMS_ID },
  'Query.hemsCommand': { id: (f) => f.hemsCommandId },
  // A valid question: the generated one (an empty scope, an empty window) is refused for its arguments before the caller's role is looked at.
  'Query.availableFlexibility': { scope: (f) => ({ feederId: f.hemsFeederId }), from: (f) => f.flexWindow.from, to: (f) => f.flexWindow.to },
  // On the HEMS every hems:read role sees, so that those who may not set its conditions are refused, not told it does not exist,
  // and those who steer it reach it; each answer is then the input's refusal (an unknown device, a window long over), nothing written.
  'Mutation.setFlexibleLoads': {
    input: () => ({ hemsId: MATRIX_HEMS_ID, loads: [{ deviceId: 'matrix-id', earliestStart: '18:00', latestEnd: '22:00', maxShiftMinutes: 60, minRunMinutes: 30, priority: 1, optedOut: false }] }),
  },
  'Mutation.issueHemsCommand': { input: () => ({ hemsId: MATRIX_HEMS_ID, kind: 'SHIFT', start: LONG_AGO, end: LONG_AGO, reason: 'FLEX_ORDER', orderId: 'matrix-id' }) },
  // The HEMS's key reports only for its own HEMS (another's is FORBIDDEN): the cases name it.
  'Mutation.reportHemsCommandOutcome': { input: (f) => ({ commandId: f.hemsCommandId, status: 'EXECUTED', at: LONG_AGO }) },
  'Mutation.reportHemsTelemetry': { input: () => ({ reports: [{ hemsId: MATRIX_HEMS_ID, at: LONG_AGO, devices: [] }] }) },
  // An offer of one ISP of a request both offerers see: the same input answers whatever each may offer there.
  'Mutation.submitFlexOffer': {
    input: (f) => ({ flexRequestId: f.flexRequest.id, isps: [{ start: f.flexRequest.firstIspStart, kw: 1 }], priceEurPerKwh: 0.2, expiresAt: f.flexRequest.firstIspStart, idempotencyKey: 'matrix-offer' }),
  },
  // A request the DSO sees, whose offers (1 kW at most) fall short of its 40 kW minimum: refused, nothing ordered.
  'Mutation.autoSelectFlexOffers': { flexRequestId: (f) => f.flexRequest.id },
};

const rootArguments = (name: string, f: RootFixture) => Object.fromEntries(Object.entries(ROOT_ARGUMENTS[name] ?? {}).map(([arg, value]) => [arg, value(f)]));

let rootFixture: RootFixture;

async function createRootFixture(): Promise<RootFixture> {
  const { point, feeder } = retailerArea();
  const now = Date.now();
  await asDso(`mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id } }`, {
    input: { meteringPointId: point.id, organisationId: organisationOf('aggregator'), scopes: ['metering:read'], from: iso(now - 24 * HOUR_MS), to: iso(now + 30 * 24 * HOUR_MS) },
  });
  const to = Math.floor(now / QUARTER_MS) * QUARTER_MS;
  const { runPowerFlow } = await asDso<{ runPowerFlow: { id: string } }>(`mutation($input: RunPowerFlowInput!) { runPowerFlow(input: $input) { id } }`, {
    input: { secondarySubstationIds: [feeder.secondarySubstationId], from: iso(to - HOUR_MS), to: iso(to), source: 'FORECAST' },
  });
  const hemsPoint = matrixHemsPoint();
  for (const role of ['retailer', 'aggregator', 'researcher'] as const) {
    await asDso(`mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id } }`, {
      input: { meteringPointId: hemsPoint.id, organisationId: organisationOf(role), scopes: ['hems:read'], from: iso(now - 24 * HOUR_MS), to: iso(now + 30 * 24 * HOUR_MS) },
    });
  }
  const hemsFeederId = feederOf(hemsPoint.id).id;
  const { issueContractedPowerOrder } = await asDso<{ issueContractedPowerOrder: { id: string } }>(`mutation($input: IssueContractedPowerOrderInput!) { issueContractedPowerOrder(input: $input) { id } }`, {
    input: { area: { feederIds: [hemsFeederId] }, reductionPercent: 20, start: iso(Date.now()), expectedEnd: iso(now + 6 * HOUR_MS), reason: 'authorization matrix: the DSO sees the HEMS behind it' },
  });
  matrixOrderId = issueContractedPowerOrder.id;
  const { issueHemsCommand } = await asRole<{ issueHemsCommand: { id: string } }>('retailer', ISSUE_COMMAND(''), { input: matrixCommandInput() });
  const flexFrom = Math.ceil(now / QUARTER_MS) * QUARTER_MS + 24 * HOUR_MS;
  const flexInput = flexRequestInput(feeder.id, 40);
  const { createFlexRequest } = await asDso<{ createFlexRequest: { id: string } }>(`mutation($input: CreateFlexRequestInput!) { createFlexRequest(input: $input) { id } }`, { input: flexInput });
  return {
    powerFlowRunId: runPowerFlow.id,
    hemsFeederId,
    hemsCommandId: issueHemsCommand.id,
    flexWindow: { from: iso(flexFrom), to: iso(flexFrom + 4 * HOUR_MS) },
    flexRequest: { id: createFlexRequest.id, firstIspStart: flexInput.isps[0]!.start },
  };
}

beforeAll(async () => {
  t = await startTestHub({
    customers: 30,
    gateway: {
      // One subscription per key: a subscription that got past authorization holds the key's only
      // slot, so its twin is refused with RATE_LIMITED, which tells "running" from "refused" by an
      // event rather than by waiting (graphql-ws sends nothing for a subscription that just runs).
      maxSubscriptionsPerKey: 1,
    },
  });
  await t.database.handle.pool.query(`INSERT INTO hems.systems (id, metering_point_id, vendor, installed_at) VALUES ($1, $2, 'Cleanwatts', now())`, [MATRIX_HEMS_ID, matrixHemsPoint().id]);
  await t.database.handle.pool.query(`INSERT INTO hems.devices (id, hems_id, kind, rated_power_kw) VALUES ($1, $2, 'EV_CHARGER', 7.4)`, [MATRIX_DEVICE_ID, MATRIX_HEMS_ID]);
  for (const role of ROLES) httpKeys.set(role, await t.createKey(role, organisationOf(role)));
  rootFixture = await createRootFixture();
}, 60_000);

afterAll(() => t?.stop());

async function httpOutcome(key: string, field: string, operation: FieldOperation): Promise<Outcome> {
  const { status, body } = await t.graphql<Record<string, unknown>>(operation.query, { key, variables: operation.variables });
  const value = body.data?.[field];
  return {
    codes: codesOf(body.errors),
    hasData: value !== null && value !== undefined,
    paths: (body.errors ?? []).map((error) => error.path),
    summary: `HTTP ${status} ${JSON.stringify(body)}`,
  };
}

type FirstEvent = { kind: 'next'; errors: ErrorLike[]; data: Record<string, unknown> | null | undefined } | { kind: 'error'; errors: ErrorLike[] } | { kind: 'complete' } | { kind: 'closed'; code: number };

const SUBSCRIPTION_DEADLINE_MS = 10_000;

/**
 * Subscribes twice over one socket with a fresh key of the role, and takes each subscription's
 * first event: both refused with the same error, or one running and its twin refused its slot.
 */
async function subscriptionOutcome(role: Role, field: string, operation: FieldOperation): Promise<Outcome> {
  const key = await t.createKey(role, organisationOf(role));
  const client = createClient({
    url: `${t.hub.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { apiKey: key },
    retryAttempts: 0,
    lazy: true,
  });
  const firstEvent = () =>
    new Promise<FirstEvent>((resolve) => {
      client.subscribe<Record<string, unknown>>(
        { query: operation.query, variables: operation.variables },
        {
          next: (result) => resolve({ kind: 'next', errors: (result.errors ?? []) as ErrorLike[], data: result.data }),
          error: (error) => {
            if (Array.isArray(error)) resolve({ kind: 'error', errors: error as ErrorLike[] });
            else resolve({ kind: 'closed', code: (error as { code?: number }).code ?? -1 });
          },
          complete: () => resolve({ kind: 'complete' }),
        },
      );
    });
  const isSlotRefusal = (event: FirstEvent) => event.kind === 'error' && codesOf(event.errors).includes('RATE_LIMITED');
  let deadline: NodeJS.Timeout | undefined;
  try {
    const events = await Promise.race([
      new Promise<FirstEvent[]>((resolve) => {
        const seen: FirstEvent[] = [];
        for (const twin of [firstEvent(), firstEvent()]) {
          void twin.then((event) => {
            seen.push(event);
            if (isSlotRefusal(event) || seen.length === 2) resolve([...seen]);
          });
        }
      }),
      new Promise<never>((_, reject) => {
        deadline = setTimeout(
          () => reject(new Error(`${role}: neither subscription to ${field} answered within ${SUBSCRIPTION_DEADLINE_MS} ms (a running one is told by its twin's RATE_LIMITED)`)),
          SUBSCRIPTION_DEADLINE_MS,
        );
      }),
    ]);
    const answers = events.filter((event) => !isSlotRefusal(event));
    const running = events.length > answers.length;
    const closed = answers.find((event) => event.kind === 'closed');
    return {
      running,
      inconclusive: closed ? `the socket closed with ${closed.code} before an answer` : undefined,
      codes: answers.flatMap((event) => (event.kind === 'next' || event.kind === 'error' ? codesOf(event.errors) : [])),
      hasData: answers.some((event) => event.kind === 'next' && event.data?.[field] != null),
      paths: answers.flatMap((event) => (event.kind === 'next' || event.kind === 'error' ? event.errors.map((error) => error.path) : [])),
      summary: `${running ? 'one subscription running, its twin refused a slot; ' : ''}first events ${JSON.stringify(events)}`,
    };
  } finally {
    clearTimeout(deadline);
    await client.dispose();
  }
}

/** The errors a field's own resolver answers with once past authorization, always at the field's path. */
const RESOLVER_ANSWERS = new Set(['NOT_FOUND', 'CONFLICT', 'BAD_USER_INPUT']);

/** What is wrong with a role's outcome for a field, given whether the table lets the role in. */
function problems(role: Role, allowed: boolean, field: string, outcome: Outcome): string[] {
  const found: string[] = [];
  if (outcome.inconclusive) return [`${role}: no answer about authorization: ${outcome.inconclusive} (${outcome.summary})`];
  if (outcome.codes.includes('INTERNAL_SERVER_ERROR')) found.push(`${role}: INTERNAL_SERVER_ERROR (${outcome.summary})`);
  if (allowed) {
    if (outcome.codes.includes('FORBIDDEN')) found.push(`${role}: the table allows it, the hub answered FORBIDDEN (${outcome.summary})`);
    // Past authorization means the field's resolver answered: data, or its own refusal of the
    // arguments (at the field's path). Anything else (UNAUTHENTICATED, RATE_LIMITED, UNAVAILABLE,
    // a gateway limit's or coercion's BAD_USER_INPUT, which carry no path) says nothing of it.
    const foreign = outcome.codes.filter((code, i) => !RESOLVER_ANSWERS.has(code) || outcome.paths[i]?.[0] !== field);
    if (foreign.length > 0) found.push(`${role}: the table allows it, the hub answered ${foreign.join(', ')}, not the field's resolver (${outcome.summary})`);
    else if (!outcome.hasData && !outcome.running && outcome.codes.length === 0) found.push(`${role}: the table allows it, the hub answered neither data nor an error (${outcome.summary})`);
    return found;
  }
  if (outcome.codes.length === 0 || outcome.codes.some((code) => code !== 'FORBIDDEN')) {
    found.push(`${role}: the table refuses it, the hub answered ${outcome.codes.join(', ') || 'without error'} (${outcome.summary})`);
  }
  if (outcome.hasData) found.push(`${role}: refused, yet the field carried data (${outcome.summary})`);
  if (outcome.paths.some((errorPath) => errorPath !== undefined && errorPath[0] !== field)) found.push(`${role}: a refusal for another field than ${field} (${outcome.summary})`);
  return found;
}

describe('the authorization table', () => {
  it('has an entry for every root field of the supergraph', () => {
    const missing = ROOT_FIELDS.filter(({ name }) => !(name in AUTHORIZATION)).map(({ name }) => `add ${name} to the authorization table`);
    expect(missing).toEqual([]);
  });

  it('has no entry for a field the supergraph no longer has', () => {
    const known = new Set(ROOT_FIELDS.map(({ name }) => name));
    const stale = Object.keys(AUTHORIZATION)
      .filter((name) => !known.has(name))
      .map((name) => `remove ${name} from the authorization table: the supergraph has no such field`);
    expect(stale).toEqual([]);
  });

  it('gives fixture arguments only to root fields of the supergraph, and only arguments they take', () => {
    const wrong = Object.keys(ROOT_ARGUMENTS).flatMap((name) => {
      const root = ROOT_FIELDS.find((candidate) => candidate.name === name);
      if (!root) return [`${name}: fixture arguments for a field the supergraph has not`];
      const known = new Set(root.field.args.map((arg) => arg.name));
      return Object.keys(ROOT_ARGUMENTS[name]!)
        .filter((arg) => !known.has(arg))
        .map((arg) => `${name}: no argument ${arg}`);
    });
    expect(wrong).toEqual([]);
  });

  it('names only known roles, each once', () => {
    const wrong = Object.entries(AUTHORIZATION).flatMap(([name, roles]) => [
      ...roles.filter((role) => !(ROLES as readonly string[]).includes(role)).map((role) => `${name}: unknown role ${role}`),
      ...(new Set(roles).size === roles.length ? [] : [`${name}: a role listed twice`]),
    ]);
    expect(wrong).toEqual([]);
  });
});

describe('operations generated from the supergraph', () => {
  // A malformed operation is refused before any authorization (BAD_USER_INPUT): the matrix would
  // then prove nothing about the roles it lets in.
  it('pass validation, variables included, for every root field', () => {
    const invalid = ROOT_FIELDS.flatMap(({ name, operation, field }) => {
      const generated = operationForField(operation, field);
      const document = parse(generated.query);
      const errors = [...validate(SUPERGRAPH, document)];
      const definitions = getOperationAST(document)?.variableDefinitions ?? [];
      const coerced = getVariableValues(SUPERGRAPH, definitions, generated.variables);
      if ('errors' in coerced && coerced.errors) errors.push(...coerced.errors);
      return errors.map((error) => `${name}: ${error.message} in ${generated.query}`);
    });
    expect(invalid).toEqual([]);
  });
});

describe('authorization of every root field for every role, as the table says', () => {
  it.each(ROOT_FIELDS.map((root) => [root.name, root] as const))('%s: the roles of the table get past authorization, every other role gets FORBIDDEN alone', async (name, root) => {
    const allowedRoles = AUTHORIZATION[name];
    if (!allowedRoles) throw new Error(`add ${name} to the authorization table`);
    const generated = operationForField(root.operation, root.field);
    const operation = { ...generated, variables: { ...generated.variables, ...rootArguments(name, rootFixture) } };
    const found = (
      await Promise.all(
        ROLES.map(async (role) => {
          const outcome = root.operation === 'subscription' ? await subscriptionOutcome(role, root.field.name, operation) : await httpOutcome(httpKeys.get(role)!, root.field.name, operation);
          return problems(role, allowedRoles.includes(role), root.field.name, outcome);
        }),
      )
    ).flat();
    expect({ operation: operation.query, problems: found }).toEqual({ operation: operation.query, problems: [] });
  });
});

// ---------------------------------------------------------------------------------------------
// Fields below the root with an @Authorized of their own: a key that reaches the field's parent
// but lacks the field's scopes gets FORBIDDEN for that field, naming them; a field whose
// @Authorized names none is read by a key with no scope at all.

/** What a field-level case needs of the hub: rows to reach the fields through. */
interface FieldFixture {
  /** A point of the retailer's, on the feeder of `orderId`. */
  pointId: string;
  secondarySubstationId: string;
  /** An order addressed to the retailer (ret-edpc), and its ISSUED event. */
  orderId: string;
  orderEventId: string;
  /** A flexibility request's event (unaddressed: every events:read holder). */
  flexEventId: string;
  /** A planned maintenance's NEW event on `secondarySubstationId` (addressed to the retailer, among others). */
  gridConstraintEventId: string;
  /** The root fixture's run on `secondarySubstationId`. */
  powerFlowRunId: string;
  /** The matrix HEMS coming online (its status event, to those it is shared with), and a command's outcome (to its issuer, the retailer). */
  hemsStatusEventId: string;
  hemsCommandEventId: string;
  /** The retailer's offer to a request on the matrix HEMS's feeder (to it and the DSO), and the DSO's order of it. */
  flexOfferEventId: string;
  flexOrderEventId: string;
  /** A critical-peak event announced on a scheme nobody is on: the DSO's alone. */
  criticalPeakEventId: string;
  /** That announcement's own id (the CriticalPeakEvent entity's key). */
  criticalPeakId: string;
}

interface FieldCase {
  /**
   * The scopes the field's @Authorized names (any one lets in): the only ones the key lacks. None:
   * any verified key reads the field, and the case's key has no scope at all.
   */
  scopes: readonly Scope[];
  /** A role whose default key reaches the field; the case's key is that role's, narrowed. */
  role: Role;
  /** A query reaching the field through parents the narrowed key may still read. */
  query: (f: FieldFixture) => { query: string; variables: Record<string, unknown> };
}

const WINDOW = { from: '2024-01-01T00:00:00.000Z', to: '2024-01-02T00:00:00.000Z' };
/** A point reached without metering:read: through an order's affected points (flex:read). */
const viaOrder = (selection: string) => (f: FieldFixture) =>
  selection.includes('$from')
    ? { query: `query($id: ID!, $from: DateTime!, $to: DateTime!) { contractedPowerOrder(id: $id) { affected { meteringPoint { id ${selection} } } } }`, variables: { id: f.orderId, ...WINDOW } }
    : { query: `query($id: ID!) { contractedPowerOrder(id: $id) { affected { meteringPoint { id ${selection} } } } }`, variables: { id: f.orderId } };
const onPoint = (selection: string) => (f: FieldFixture) => ({ query: `query($id: ID!) { meteringPoint(id: $id) { id ${selection} } }`, variables: { id: f.pointId } });
const onOrder = (selection: string) => (f: FieldFixture) => ({ query: `query($id: ID!) { contractedPowerOrder(id: $id) { id ${selection} } }`, variables: { id: f.orderId } });
const onSubstation = (selection: string) => (f: FieldFixture) => ({ query: `query($id: ID!) { secondarySubstation(id: $id) { id ${selection} } }`, variables: { id: f.secondarySubstationId } });
const onRun = (selection: string) => (f: FieldFixture) => ({ query: `query($id: ID!) { powerFlowRun(id: $id) { id ${selection} } }`, variables: { id: f.powerFlowRunId } });
const onEvent = (selection: string, id: (f: FieldFixture) => string) => (f: FieldFixture) => ({ query: `query($id: ID!) { hubEvent(eventId: $id) { eventId ${selection} } }`, variables: { id: id(f) } });
/** A command reached without hems:read: the one a key that only steers HEMS (hems:control) has just sent. */
const onIssuedCommand = (selection: string) => () => ({ query: ISSUE_COMMAND(selection), variables: { input: matrixCommandInput() } });

/**
 * Written by hand from the product rules, like the root table: `Type.field` → its scopes, and who
 * is narrowed to show it. A point's readings, events and place in the grid are metering:read (its
 * present state); its tariff and HEMS their domains'; a substation's measurements grid:read; which
 * retailers have not acknowledged an order is the DSO's operation; a compliance report is readings.
 * The network's topology is public infrastructure; a power-flow run's summary is for whoever sees
 * the area (grid:read, or flex:trade where the party has customers), its bus voltages and line
 * results for the DSO alone (grid:operate, which no other role has: the DSO is narrowed of it).
 * A HEMS's status and its commands' outcomes are pushed to events:read holders, their content is
 * hems:read; a key that steers HEMS (hems:control) without reading them gets the command it sent,
 * not the HEMS or the device it acts on. A HEMS's flexible loads need no scope of their own: every
 * path to a HEMS needs hems:read already.
 */
const FIELD_AUTHORIZATION: Readonly<Record<string, FieldCase>> = {
  'MeteringPoint.loadCurve': { scopes: ['metering:read'], role: 'dso', query: viaOrder('loadCurve(from: $from, to: $to) { importWh }') },
  'MeteringPoint.loadCurveSeries': { scopes: ['metering:read'], role: 'dso', query: viaOrder('loadCurveSeries(from: $from, to: $to) { importWh }') },
  'MeteringPoint.events': { scopes: ['metering:read'], role: 'dso', query: viaOrder('events(from: $from, to: $to) { totalCount }') },
  'MeteringPoint.secondarySubstation': { scopes: ['metering:read'], role: 'dso', query: viaOrder('secondarySubstation { id }') },
  'MeteringPoint.gridConnection': { scopes: ['metering:read'], role: 'dso', query: viaOrder('gridConnection { phase busId }') },
  'MeteringPoint.tariff': { scopes: ['tariffs:read'], role: 'dso', query: onPoint('tariff { id }') },
  'MeteringPoint.tariffHistory': { scopes: ['tariffs:read'], role: 'dso', query: onPoint('tariffHistory { validFrom scheme { id } }') },
  'MeteringPoint.hems': { scopes: ['hems:read'], role: 'dso', query: onPoint('hems { id }') },
  'MeteringPoint.pilotEnrolment': { scopes: ['tariffs:read'], role: 'dso', query: onPoint('pilotEnrolment { id }') },
  'SecondarySubstation.measurements': {
    scopes: ['grid:read'],
    role: 'dso',
    query: (f) => ({ query: `query($id: ID!, $from: DateTime!, $to: DateTime!) { secondarySubstation(id: $id) { id measurements(from: $from, to: $to) { __typename } } }`, variables: { id: f.secondarySubstationId, ...WINDOW } }),
  },
  'SecondarySubstation.transformer': { scopes: [], role: 'customer', query: onSubstation('transformer { ratedKva }') },
  'SecondarySubstation.mvSource': { scopes: [], role: 'customer', query: onSubstation('mvSource { isc3A }') },
  'SecondarySubstation.latestPowerFlow': { scopes: ['grid:read', 'flex:trade'], role: 'retailer', query: onSubstation('latestPowerFlow { runId }') },
  'Feeder.lineSegments': { scopes: [], role: 'customer', query: onSubstation('feeders { id lineSegments(first: 1) { totalCount } }') },
  'Feeder.buses': { scopes: [], role: 'customer', query: onSubstation('feeders { id buses(first: 1) { totalCount } }') },
  'LineSegment.lineCode': { scopes: [], role: 'customer', query: onSubstation('feeders { id lineSegments(first: 1) { edges { node { id lineCode { name } } } } }') },
  'PowerFlowRun.buses': { scopes: ['grid:operate'], role: 'dso', query: onRun('buses(first: 1) { totalCount }') },
  'PowerFlowRun.segments': { scopes: ['grid:operate'], role: 'dso', query: onRun('segments(first: 1) { totalCount }') },
  'ContractedPowerOrder.pendingAcknowledgements': { scopes: ['flex:operate'], role: 'dso', query: onOrder('pendingAcknowledgements') },
  'ContractedPowerOrder.compliance': { scopes: ['metering:read'], role: 'retailer', query: onOrder('compliance { intervalsAbove }') },
  'HubEvent.contractedPowerOrder': { scopes: ['flex:read'], role: 'retailer', query: (f) => ({ query: `query($id: ID!) { hubEvent(eventId: $id) { eventId contractedPowerOrder { kind } } }`, variables: { id: f.orderEventId } }) },
  'HubEvent.flexRequest': { scopes: ['flex:read'], role: 'retailer', query: (f) => ({ query: `query($id: ID!) { hubEvent(eventId: $id) { eventId flexRequest { id } } }`, variables: { id: f.flexEventId } }) },
  'HubEvent.flexOffer': { scopes: ['flex:read'], role: 'retailer', query: onEvent('flexOffer { id status }', (f) => f.flexOfferEventId) },
  'HubEvent.flexOrder': { scopes: ['flex:read'], role: 'retailer', query: onEvent('flexOrder { id status }', (f) => f.flexOrderEventId) },
  'HubEvent.gridConstraint': {
    scopes: ['flex:read'],
    role: 'retailer',
    query: (f) => ({ query: `query($id: ID!) { hubEvent(eventId: $id) { eventId gridConstraint { kind constraint { id } } } }`, variables: { id: f.gridConstraintEventId } }),
  },
  'HubEvent.hemsStatus': { scopes: ['hems:read'], role: 'retailer', query: onEvent('hemsStatus { kind lastSeenAt hems { id online } }', (f) => f.hemsStatusEventId) },
  'HubEvent.hemsCommand': { scopes: ['hems:read'], role: 'retailer', query: onEvent('hemsCommand { kind command { id status } }', (f) => f.hemsCommandEventId) },
  'HubEvent.criticalPeakEvent': { scopes: ['tariffs:read'], role: 'dso', query: onEvent('criticalPeakEvent { kind criticalPeakEvent { id day } }', (f) => f.criticalPeakEventId) },
  'HemsCommand.hems': { scopes: ['hems:read'], role: 'retailer', query: onIssuedCommand('hems { id online }') },
  'HemsCommand.device': { scopes: ['hems:read'], role: 'retailer', query: onIssuedCommand('device { id kind }') },
};

/**
 * `Type.field` → the scopes of its @Authorized, for every field below the root that has one, read
 * from the subgraphs' resolvers (@FieldResolver) and types (@Field): what the table must cover.
 */
function authorizedObjectFields(): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  const subgraphsDir = path.join(__dirname, '../../subgraphs');
  const balance = (line: string) => (line.match(/\(/g) ?? []).length - (line.match(/\)/g) ?? []).length;
  for (const entry of readdirSync(subgraphsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const file of readdirSync(path.join(subgraphsDir, entry.name)).filter((name) => /\.(resolver|type)\.ts$/.test(name))) {
      let type: string | null = null;
      let objectType = false;
      /** Open parentheses of a decorator spread over lines: its lines are not members. */
      let depth = 0;
      let scopes: string[] | null = null;
      let kind: 'field' | 'root' | null = null;
      for (const line of readFileSync(path.join(subgraphsDir, entry.name, file), 'utf8').split('\n')) {
        if (depth > 0) {
          depth += balance(line);
          continue;
        }
        const trimmed = line.trim();
        if (trimmed.startsWith('@')) {
          const resolver = /^@Resolver\(\(\) => (\w+)\)/.exec(trimmed);
          const authorized = /^@Authorized\(([^)]*)\)/.exec(trimmed);
          if (resolver) type = resolver[1]!;
          else if (/^@(ObjectType|InterfaceType)\(/.test(trimmed)) objectType = true;
          else if (authorized) scopes = [...authorized[1]!.matchAll(/'([^']+)'/g)].map((match) => match[1]!);
          else if (/^@(FieldResolver|Field)\(/.test(trimmed)) kind = 'field';
          else if (/^@(Query|Mutation|Subscription)\(/.test(trimmed)) kind = 'root';
          depth = balance(trimmed);
          continue;
        }
        const klass = /^export class (\w+)/.exec(line);
        const member = /^\s+(?:async\s+)?(\w+)\s*[(!?:]/.exec(line);
        if (klass) {
          if (objectType) type = klass[1]!;
          objectType = false;
          [scopes, kind] = [null, null];
        } else if (member && kind) {
          if (kind === 'field' && scopes && type) fields.set(`${type}.${member[1]}`, scopes);
          [scopes, kind] = [null, null];
        }
      }
    }
  }
  return fields;
}

describe('the field authorization table', () => {
  it('covers every field below the root that has an @Authorized, with its scope, and only fields the supergraph has', () => {
    const declared = authorizedObjectFields();
    // The scan itself found what it must: the fields the README names, the one on a type's @Field included.
    expect([...declared.keys()]).toEqual(expect.arrayContaining(['MeteringPoint.loadCurve', 'MeteringPoint.tariff', 'MeteringPoint.hems', 'SecondarySubstation.measurements', 'HubEvent.flexRequest']));
    const inTable = Object.fromEntries(Object.entries(FIELD_AUTHORIZATION).map(([name, entry]) => [name, entry.scopes]));
    expect(inTable).toEqual(Object.fromEntries(declared));
    const unknown = Object.keys(FIELD_AUTHORIZATION).filter((name) => {
      const [typeName, fieldName] = name.split('.');
      const type = SUPERGRAPH.getType(typeName!);
      return !isObjectType(type) || !(fieldName! in type.getFields());
    });
    expect(unknown).toEqual([]);
  });

  it('gives each case a role whose default key holds one of its scopes', () => {
    const wrong = Object.entries(FIELD_AUTHORIZATION)
      .filter(([, entry]) => entry.scopes.length > 0 && !entry.scopes.some((scope) => ROLE_SCOPES[entry.role].includes(scope)))
      .map(([name]) => name);
    expect(wrong).toEqual([]);
  });
});

describe('authorization of fields below the root', () => {
  let fixture: FieldFixture;

  beforeAll(async () => {
    const dso = httpKeys.get('dso')!;
    const { point, feeder } = retailerArea();
    const now = Date.now();
    const order = await t.graphql<{ issueContractedPowerOrder: { id: string } }>(`mutation($input: IssueContractedPowerOrderInput!) { issueContractedPowerOrder(input: $input) { id } }`, {
      key: dso,
      variables: { input: { area: { feederIds: [feeder.id] }, reductionPercent: 20, start: new Date(now).toISOString(), expectedEnd: new Date(now + 3_600_000).toISOString(), reason: 'field authorization' } },
    });
    expect(order.body.errors).toBeUndefined();
    const orderEventId = String(await latestOutboxId(t.database.handle.pool));
    const windowStart = Math.ceil((now + 3_600_000) / 900_000) * 900_000;
    // At the retailer's own substation: the request, and so its event, is published to it.
    const flex = await t.graphql(`mutation($input: CreateFlexRequestInput!) { createFlexRequest(input: $input) { id } }`, {
      key: dso,
      variables: { input: flexRequestInput(feeder.secondarySubstationId, 10) },
    });
    expect(flex.body.errors).toBeUndefined();
    const flexEventId = String(await latestOutboxId(t.database.handle.pool));
    expect(flexEventId).not.toBe(orderEventId);
    const maintenanceStart = windowStart + 24 * HOUR_MS;
    await asDso(`mutation($input: DeclareGridConstraintInput!) { declareGridConstraint(input: $input) { id } }`, {
      input: { kind: 'PLANNED_MAINTENANCE', secondarySubstationId: feeder.secondarySubstationId, start: iso(maintenanceStart), end: iso(maintenanceStart + 4 * HOUR_MS), description: 'field authorization' },
    });
    const gridConstraintEventId = String(await latestOutboxId(t.database.handle.pool));
    expect(gridConstraintEventId).not.toBe(flexEventId);
    // The retailer's platform reports for the matrix HEMS (shared with it): it comes online.
    await asRole('retailer', `mutation($input: ReportHemsTelemetryInput!) { reportHemsTelemetry(input: $input) { reports } }`, {
      input: { reports: [{ hemsId: MATRIX_HEMS_ID, at: iso(Date.now()), devices: [{ deviceId: MATRIX_DEVICE_ID, state: 'ON', powerKw: 3.7 }] }] },
    });
    const hemsStatusEventId = await newestEventId('HEMS_STATUS');
    // The retailer sends it a command, and the HEMS's own key acknowledges it.
    const { issueHemsCommand } = await asRole<{ issueHemsCommand: { id: string } }>('retailer', ISSUE_COMMAND(''), { input: matrixCommandInput() });
    await asRole('hems', `mutation($input: ReportHemsCommandOutcomeInput!) { reportHemsCommandOutcome(input: $input) { id } }`, { input: { commandId: issueHemsCommand.id, status: 'ACKNOWLEDGED' } });
    const hemsCommandEventId = await newestEventId('HEMS_COMMAND');
    // The customer lets its charger be held off in the evening: the retailer offers 1 kW of it tomorrow at 19:00 local, and the DSO orders it.
    await t.database.handle.pool.query(
      `INSERT INTO hems.flexible_loads (id, hems_id, device_id, earliest_start_minute, latest_end_minute, max_shift_minutes, min_run_minutes, priority, opted_out)
       VALUES ('FL-MATRIX', $1, $2, 1080, 420, 240, 60, 1, false)`,
      [MATRIX_HEMS_ID, MATRIX_DEVICE_ID],
    );
    const ispStart = iso(localTimeUtcMs(lisbonLocalDay(now) + 1, 19 * 60));
    const { createFlexRequest } = await asDso<{ createFlexRequest: { id: string } }>(`mutation($input: CreateFlexRequestInput!) { createFlexRequest(input: $input) { id } }`, {
      input: { congestionPointId: rootFixture.hemsFeederId, isps: [{ start: ispStart, minKw: 1, maxKw: 2 }], expiresAt: iso(now + HOUR_MS) },
    });
    const { submitFlexOffer } = await asRole<{ submitFlexOffer: { id: string } }>('retailer', `mutation($input: SubmitFlexOfferInput!) { submitFlexOffer(input: $input) { id } }`, {
      input: { flexRequestId: createFlexRequest.id, isps: [{ start: ispStart, kw: 1 }], priceEurPerKwh: 0.2, expiresAt: iso(now + HOUR_MS / 2), idempotencyKey: 'matrix-field-offer' },
    });
    const flexOfferEventId = await newestEventId('FLEX_OFFER');
    await asDso(`mutation($input: OrderFlexInput!) { orderFlex(input: $input) { id } }`, { input: { offerId: submitFlexOffer.id } });
    const flexOrderEventId = await newestEventId('FLEX_ORDER');
    await t.database.handle.pool.query(
      `INSERT INTO tariffs.schemes (id, family, version, name, kind, cycle, status, power_price_nano_eur_per_kva_day, valid_from, published_at)
       VALUES ('MATRIX-CPP', 'MATRIX-CPP', 1, 'matrix', 'CRITICAL_PEAK', 'DAILY', 'PUBLISHED', 1, '2020-01-01', now())`,
    );
    const { announceCriticalPeakEvent } = await asDso<{ announceCriticalPeakEvent: { id: string } }>(`mutation($input: AnnounceCriticalPeakEventInput!) { announceCriticalPeakEvent(input: $input) { id } }`, {
      input: { schemeId: 'MATRIX-CPP', day: new Date(now + 3 * 24 * HOUR_MS).toISOString().slice(0, 10), start: '18:00', end: '21:00' },
    });
    const criticalPeakEventId = String(await latestOutboxId(t.database.handle.pool));
    expect(announceCriticalPeakEvent.id).toEqual(expect.any(String));
    fixture = {
      pointId: point.id,
      secondarySubstationId: feeder.secondarySubstationId,
      orderId: order.body.data!.issueContractedPowerOrder.id,
      orderEventId,
      flexEventId,
      gridConstraintEventId,
      powerFlowRunId: rootFixture.powerFlowRunId,
      hemsStatusEventId,
      hemsCommandEventId,
      flexOfferEventId,
      flexOrderEventId,
      criticalPeakEventId,
      criticalPeakId: announceCriticalPeakEvent.id,
    };
  });

  const scoped = Object.entries(FIELD_AUTHORIZATION).filter(([, entry]) => entry.scopes.length > 0);
  const scopeless = Object.entries(FIELD_AUTHORIZATION).filter(([, entry]) => entry.scopes.length === 0);

  it.each(scoped)('%s: a key without its scopes reaches the parent and gets FORBIDDEN for the field, naming them', async (name, entry) => {
    const fieldName = name.split('.')[1]!;
    const { query, variables } = entry.query(fixture);
    const narrowed = await t.createKey(entry.role, organisationOf(entry.role), ROLE_SCOPES[entry.role].filter((scope) => !entry.scopes.includes(scope)));
    // The role's default key: the same query answers cleanly, so the refusal below is the scopes' alone.
    const control = await t.graphql(query, { key: httpKeys.get(entry.role)!, variables });
    expect({ name, answer: control.body.errors ?? [] }).toEqual({ name, answer: [] });
    const { body } = await t.graphql(query, { key: narrowed, variables });
    const errors = body.errors ?? [];
    // Refused at the field itself (its path ends with it: the parent was reached), for its scopes, and for nothing else.
    const needs = `${name} needs the ${entry.scopes.join(' or ')} scope`;
    const wrong = errors.filter((error) => error.extensions?.code !== 'FORBIDDEN' || error.path?.[error.path.length - 1] !== fieldName || !error.message.includes(needs));
    expect({ name, refused: errors.length > 0, wrong, answer: JSON.stringify(body) }).toEqual({ name, refused: true, wrong: [], answer: JSON.stringify(body) });
  });

  it.each(scopeless)('%s: a key with no scope at all reads it', async (name, entry) => {
    const { query, variables } = entry.query(fixture);
    const bare = await t.createKey(entry.role, organisationOf(entry.role), []);
    const { body } = await t.graphql<Record<string, unknown>>(query, { key: bare, variables });
    expect({ name, errors: body.errors ?? [], data: body.data != null }).toEqual({ name, errors: [], data: true });
  });

  // Entities a subgraph resolves with a check of its own (tariffs.reference.ts), asked for straight at
  // it as the gateway would for another subgraph's reference: the check is the field's, not the path's.
  it('resolves a CriticalPeakEvent reference at tariffs only for a key with tariffs:read, as criticalPeakEvents', async () => {
    const ENTITIES = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on CriticalPeakEvent { id day } } }`;
    const resolved = async (role: Role, scopes: readonly Scope[]) => {
      const identity = { keyId: `matrix-${role}`, organisationId: organisationOf(role), role, scopes: [...scopes] };
      const headers = { [IDENTITY_HEADER]: signIdentity(t.identitySecret, { identity, requestId: `matrix-entities-${role}` }, 'tariffs', 30_000) };
      const { status, body } = await postGraphQL<{ _entities: unknown[] }>(t.hub.subgraphUrls.tariffs, ENTITIES, headers, { representations: [{ __typename: 'CriticalPeakEvent', id: fixture.criticalPeakId }] });
      return { role, scopes: scopes.length, status, errors: body.errors ?? [], entities: body.data?._entities };
    };
    const event = { id: fixture.criticalPeakId, day: expect.any(String) };
    // A stakeholder with tariffs:read reads it (as public as its scheme); the same role narrowed of it, and the TSO, which never has it, do not.
    const developer = ROLE_SCOPES.developer;
    expect(await resolved('developer', developer)).toEqual({ role: 'developer', scopes: developer.length, status: 200, errors: [], entities: [event] });
    const narrowed = developer.filter((scope) => scope !== 'tariffs:read');
    expect(await resolved('developer', narrowed)).toEqual({ role: 'developer', scopes: narrowed.length, status: 200, errors: [], entities: [null] });
    expect(await resolved('tso', ROLE_SCOPES.tso)).toEqual({ role: 'tso', scopes: ROLE_SCOPES.tso.length, status: 200, errors: [], entities: [null] });
  });
});
