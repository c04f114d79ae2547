import { eq } from 'drizzle-orm';
import type { Role } from '../../../schema/identity';
import { connections, feeders, secondarySubstations } from '../../../schema/tables';
import type { TestHub } from '../../../tools/testing/hub-fixture';

/** What the grid-constraint tests share: keys, areas and windows of their own per test, declarations. */

const DAY_MS = 86_400_000;
export const iso = (ms: number) => new Date(ms).toISOString();

export const DECLARE = `mutation($input: DeclareGridConstraintInput!) {
  declareGridConstraint(input: $input) {
    id kind source status severity start end feederId limit value unit description powerFlowRunId clearedAt
    asset { kind id } secondarySubstation { id }
  }
}`;
export const CLEAR = `mutation($id: ID!) { clearGridConstraint(id: $id) { id status clearedAt } }`;

type Point = TestHub['parish']['meteringPoints'][number];

/** A secondary substation of one test's own, holding one customer. */
export interface TestArea {
  substationId: string;
  feederId: string;
  pointId: string;
  retailerId: string;
}

export interface ConstraintFixture {
  dsoKey: string;
  /** One key per role and organisation, made on first use. */
  keyFor(role: Role, organisationId: string): Promise<string>;
  /** A window days apart from every other test's, so that a listing without an area shows that test's constraints only. */
  nextWindow(): { fromMs: number; toMs: number };
  /**
   * A secondary substation with one feeder and one customer (the next parish point `accept`
   * takes) moved onto it, off the network model (no bus): its retailer has customers there,
   * every other retailer none.
   */
  substationWithOneCustomer(accept?: (point: Point) => boolean): Promise<TestArea>;
  /** A retailer of the parish other than this one. */
  otherRetailer(retailerId: string): string;
  /** A planned maintenance on the substation, an hour into the window, for four hours. */
  declaration(substationId: string, fromMs: number, overrides?: Record<string, unknown>): Record<string, unknown>;
  /** Declares as the DSO, expecting success. */
  declare(input: Record<string, unknown>): Promise<{ id: string }>;
}

export async function constraintFixture(t: TestHub): Promise<ConstraintFixture> {
  const dsoKey = await t.createKey('dso', 'dso');
  const keys = new Map<string, string>();
  let windowCursor = 0;
  let pointCursor = 0;
  let areaCursor = 0;
  return {
    dsoKey,
    async keyFor(role, organisationId) {
      const name = `${role}:${organisationId}`;
      if (!keys.has(name)) keys.set(name, await t.createKey(role, organisationId));
      return keys.get(name)!;
    },
    nextWindow() {
      const fromMs = Date.UTC(2031, 0, 1) + windowCursor++ * 10 * DAY_MS;
      return { fromMs, toMs: fromMs + 2 * DAY_MS };
    },
    async substationWithOneCustomer(accept = () => true) {
      // Every seventh point: spread over the parish's substations and retailers.
      let point: Point | undefined;
      do point = t.parish.meteringPoints[(pointCursor += 7)];
      while (point && !accept(point));
      if (!point) throw new Error('the parish has run out of points to move');
      const n = areaCursor++;
      const area = { substationId: `PT-TEST-${n}`, feederId: `PT-TEST-${n}-F1`, pointId: point.id, retailerId: point.retailerId };
      const db = t.database.handle.db;
      await db.insert(secondarySubstations).values({ id: area.substationId, name: `Test ${n}`, primarySubstationId: t.parish.primarySubstations[0]!.id, ratedPowerKva: 400, latitude: 38.7, longitude: -9.1 });
      await db.insert(feeders).values({ id: area.feederId, name: `Test ${n} feeder 1`, secondarySubstationId: area.substationId });
      await db.update(connections).set({ feederId: area.feederId, busId: null }).where(eq(connections.meteringPointId, point.id));
      return area;
    },
    otherRetailer: (retailerId) => t.parish.organisations.find((org) => org.kind === 'retailer' && org.id !== retailerId)!.id,
    declaration: (substationId, fromMs, overrides = {}) => ({
      kind: 'PLANNED_MAINTENANCE',
      secondarySubstationId: substationId,
      start: iso(fromMs + 3_600_000),
      end: iso(fromMs + 5 * 3_600_000),
      description: 'Replacing the LV board',
      ...overrides,
    }),
    async declare(input) {
      const { body } = await t.graphql<{ declareGridConstraint: { id: string } }>(DECLARE, { key: dsoKey, variables: { input } });
      if (body.errors) throw new Error(`declareGridConstraint failed: ${JSON.stringify(body.errors)}`);
      return body.data!.declareGridConstraint;
    },
  };
}
