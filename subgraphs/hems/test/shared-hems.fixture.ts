import { and, eq, sql } from 'drizzle-orm';
import { REDUCIBLE_DEVICE_KINDS, type DeviceKind } from '../../../schema/hems';
import type { Role } from '../../../schema/identity';
import { consents } from '../../../schema/tables';
import type { TestHub } from '../../../tools/testing/hub-fixture';

/** What the HEMS tests share: keys, and HEMS of their own each shared with its household's retailer. */

const DAY_MS = 86_400_000;
export const iso = (ms: number) => new Date(ms).toISOString();

type DeviceRow = TestHub['parish']['hemsDevices'][number];
const REDUCIBLE = new Set<DeviceKind>(REDUCIBLE_DEVICE_KINDS);

export interface TestHems {
  hemsId: string;
  pointId: string;
  /** The retailer supplying the household now, which it shares the HEMS with. */
  retailerId: string;
  feederId: string;
  /** Its devices, controllable ones that take load off first (what an order may hold off: not a PV inverter), then other controllable ones. */
  devices: DeviceRow[];
}

export interface HemsFixture {
  dsoKey: string;
  /** One key per role and organisation, made on first use. */
  keyFor(role: Role, organisationId: string): Promise<string>;
  /**
   * The next HEMS of the parish (one per call, so each test has its own) with at least
   * `controllable` controllable devices that take load off (REDUCIBLE_DEVICE_KINDS), shared with its household's retailer by a hems:read
   * consent written here: the seed's sharing is not relied on.
   */
  sharedHems(controllable?: number): Promise<TestHems>;
  /** A retailer of the parish other than this one. */
  otherRetailer(retailerId: string): string;
  /** A hems:read consent to the organisation for the point, in force from yesterday for a month. */
  share(pointId: string, organisationId: string): Promise<void>;
  /** Revokes every hems:read consent of the organisation for the point: the HEMS is no longer shared with it. */
  stopSharing(pointId: string, organisationId: string): Promise<void>;
}

export async function hemsFixture(t: TestHub): Promise<HemsFixture> {
  const dsoKey = await t.createKey('dso', 'dso');
  const keys = new Map<string, string>();
  const db = t.database.handle.db;
  let hemsCursor = 0;
  const share = async (pointId: string, organisationId: string) => {
    await db.insert(consents).values({
      id: `test-hems-${pointId}-${organisationId}-${Date.now()}`,
      meteringPointId: pointId,
      organisationId,
      scopes: ['hems:read'],
      validFrom: new Date(Date.now() - DAY_MS),
      validTo: new Date(Date.now() + 30 * DAY_MS),
      grantedByKeyId: 'test',
    });
  };
  return {
    dsoKey,
    async keyFor(role, organisationId) {
      const name = `${role}:${organisationId}`;
      if (!keys.has(name)) keys.set(name, await t.createKey(role, organisationId));
      return keys.get(name)!;
    },
    async sharedHems(controllable = 2) {
      for (; hemsCursor < t.parish.hemsSystems.length; hemsCursor++) {
        const system = t.parish.hemsSystems[hemsCursor]!;
        const rank = (device: DeviceRow) => (device.controllable ? (REDUCIBLE.has(device.kind) ? 0 : 1) : 2);
        const devices = t.parish.hemsDevices.filter((device) => device.hemsId === system.id).sort((a, b) => rank(a) - rank(b));
        if (devices.filter((device) => rank(device) === 0).length < controllable) continue;
        hemsCursor++;
        const point = t.parish.meteringPoints.find((candidate) => candidate.id === system.meteringPointId)!;
        const feederId = t.parish.connections.find((connection) => connection.meteringPointId === point.id)!.feederId;
        await share(point.id, point.retailerId);
        return { hemsId: system.id, pointId: point.id, retailerId: point.retailerId, feederId, devices };
      }
      throw new Error('the parish has run out of HEMS');
    },
    otherRetailer: (retailerId) => t.parish.organisations.find((org) => org.kind === 'retailer' && org.id !== retailerId)!.id,
    share,
    async stopSharing(pointId, organisationId) {
      await db
        .update(consents)
        .set({ revokedAt: sql`now()`, revokedByKeyId: 'test' })
        .where(and(eq(consents.meteringPointId, pointId), eq(consents.organisationId, organisationId), sql`'hems:read'::hub.consent_scope = ANY(${consents.scopes})`));
    },
  };
}
