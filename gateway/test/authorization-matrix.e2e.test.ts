import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildASTSchema, getOperationAST, getVariableValues, parse, validate, type GraphQLField, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ROLES, type Role } from '../../schema/identity';
import { startTestHub, type TestHub } from '../../tools/testing/hub-fixture';
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
  // themselves reach only the DSO and the addressed retailers (row level: NOT_FOUND, empty
  // lists). Customers are not market parties.
  'Query.contractedPowerOrder': ['dso', 'retailer', 'aggregator', 'regulator', 'tso', 'researcher', 'developer'],
  'Query.contractedPowerOrders': ['dso', 'retailer', 'aggregator', 'regulator', 'tso', 'researcher', 'developer'],
  'Query.flexRequest': ['dso', 'retailer', 'aggregator', 'regulator', 'tso', 'researcher', 'developer'],
  'Query.flexRequests': ['dso', 'retailer', 'aggregator', 'regulator', 'tso', 'researcher', 'developer'],
  'Query.contractedPowerOrderEvent': ['dso', 'retailer', 'aggregator', 'regulator', 'tso', 'researcher', 'developer'],
  // Any verified key: who am I, and the network's topology (public infrastructure).
  'Query.me': ['dso', 'retailer', 'aggregator', 'customer', 'regulator', 'tso', 'researcher', 'developer'],
  'Query.secondarySubstation': ['dso', 'retailer', 'aggregator', 'customer', 'regulator', 'tso', 'researcher', 'developer'],
  'Query.secondarySubstations': ['dso', 'retailer', 'aggregator', 'customer', 'regulator', 'tso', 'researcher', 'developer'],
  // Pushed events (events:read): everyone but a customer.
  'Query.hubEvent': ['dso', 'retailer', 'aggregator', 'regulator', 'tso', 'researcher', 'developer'],
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

  // The DSO's operations (flex:operate), and nobody else's: it runs the market it does not trade on.
  'Mutation.issueContractedPowerOrder': ['dso'],
  'Mutation.restoreContractedPowerOrder': ['dso'],
  'Mutation.cancelContractedPowerOrder': ['dso'],
  'Mutation.createFlexRequest': ['dso'],
  // Acknowledging (flex:trade): retailers; an aggregator trades too, so it gets past and finds
  // no order addressed to it (NOT_FOUND).
  'Mutation.acknowledgeContractedPowerOrder': ['retailer', 'aggregator'],
  // Consents (consent:manage): the customer for its own point, the DSO on its behalf.
  'Mutation.grantConsent': ['dso', 'customer'],
  'Mutation.revokeConsent': ['dso', 'customer'],
  // Ingest (metering:write): the DSO only.
  'Mutation.ingestMeterEvents': ['dso'],
  'Mutation.ingestSubstationMeasurements': ['dso'],
  'Mutation.ingestReadings': ['dso'],

  // Push: orders to the market's parties (flex:read), every event to events:read holders.
  'Subscription.contractedPowerOrders': ['dso', 'retailer', 'aggregator', 'regulator', 'tso', 'researcher', 'developer'],
  'Subscription.hubEvents': ['dso', 'retailer', 'aggregator', 'regulator', 'tso', 'researcher', 'developer'],
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
  /** Set when the answer tells nothing about authorization (the socket closed first). */
  inconclusive?: string;
  /** For failure messages. */
  summary: string;
}

type ErrorLike = { message?: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> };

const codesOf = (errors: readonly ErrorLike[] | undefined) => (errors ?? []).map((error) => String(error.extensions?.code ?? 'NO_CODE'));

let t: TestHub;
const httpKeys = new Map<Role, string>();

/** Each role's organisation; a customer's is a metering point (CPE). */
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
      return t.parish.meteringPoints[0]!.id;
  }
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
  for (const role of ROLES) httpKeys.set(role, await t.createKey(role, organisationOf(role)));
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

/** What is wrong with a role's outcome for a field, given whether the table lets the role in. */
function problems(role: Role, allowed: boolean, field: string, outcome: Outcome): string[] {
  const found: string[] = [];
  if (outcome.inconclusive) return [`${role}: no answer about authorization: ${outcome.inconclusive} (${outcome.summary})`];
  if (outcome.codes.includes('INTERNAL_SERVER_ERROR')) found.push(`${role}: INTERNAL_SERVER_ERROR (${outcome.summary})`);
  if (allowed) {
    if (outcome.codes.includes('FORBIDDEN')) found.push(`${role}: the table allows it, the hub answered FORBIDDEN (${outcome.summary})`);
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
    const operation = operationForField(root.operation, root.field);
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
