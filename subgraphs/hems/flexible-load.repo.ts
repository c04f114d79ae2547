import { and, asc, eq, sql } from 'drizzle-orm';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../../schema/errors';
import { devices, flexibleLoads, hemsSystems } from '../../schema/tables';
import { recordMutation, type Actor } from '../kit/audit';
import type { Database } from '../kit/db';
import { anyText } from '../kit/sql';
import { mayConditionHems, mayViewHems } from './hems-access.sql';
import { formatMinuteOfDay, parseFlexibleLoads, type FlexibleLoadDraft, type Problem } from './flexible-load.rules';
import type { FlexibleLoad } from './flexible-load.type';

const toFlexibleLoad = (row: typeof flexibleLoads.$inferSelect): FlexibleLoad => ({
  id: row.id,
  hemsId: row.hemsId,
  deviceId: row.deviceId,
  earliestStart: formatMinuteOfDay(row.earliestStartMinute),
  latestEnd: formatMinuteOfDay(row.latestEndMinute),
  maxShiftMinutes: row.maxShiftMinutes,
  minRunMinutes: row.minRunMinutes,
  priority: row.priority,
  optedOut: row.optedOut,
  updatedAt: row.updatedAt,
});

/** One load per device: its id names the device, so it stays the same across replacements (as the seed makes them). */
const flexibleLoadId = (deviceId: string) => `FL-${deviceId}`;

/** Every problem in one error: the first names the field, `rejected` the loads at fault. */
function problemsError(problems: readonly Problem[]): BadUserInputError {
  const listed = problems.map((problem) => `${problem.field}: ${problem.message}`);
  return new BadUserInputError(`${problems.length === 1 ? 'A problem' : `${problems.length} problems`} in the flexible loads, nothing was written: ${listed.join('; ')}`, {
    field: problems[0]!.field,
    rejected: problems.flatMap((problem, i) => (problem.index === null ? [] : [{ index: problem.index, reason: listed[i]! }])),
  });
}

/** The customers' conditions (hems.flexible_loads). */
export class FlexibleLoadRepo {
  constructor(private readonly db: Database) {}

  /** The loads of HEMS already checked (loaded through HemsRepo), by priority. */
  async ofHems(hemsIds: readonly string[]): Promise<FlexibleLoad[]> {
    const rows = await this.db.select().from(flexibleLoads).where(anyText(flexibleLoads.hemsId, hemsIds)).orderBy(asc(flexibleLoads.priority), asc(flexibleLoads.deviceId));
    return rows.map(toFlexibleLoad);
  }

  /**
   * Replaces the HEMS's whole set of loads with its audit line, in one transaction: a device not
   * listed loses its conditions, a listed one keeps its load's id. NOT_FOUND when the caller may
   * not see the HEMS, FORBIDDEN when it sees it but may not set its conditions
   * (mayConditionHems), BAD_USER_INPUT with every problem when the set is wrong; nothing is
   * written then.
   */
  replace(hemsId: string, drafts: readonly FlexibleLoadDraft[], actor: Actor): Promise<void> {
    const { identity } = actor;
    return this.db.transaction(async (tx) => {
      // The lock makes two replacements of one set take turns: interleaved, each would keep the other's loads.
      const [system] = await tx
        .select({
          mayView: mayViewHems(identity, sql`${hemsSystems.id}`, sql`${hemsSystems.meteringPointId}`).mapWith(Boolean),
          mayCondition: mayConditionHems(identity, sql`${hemsSystems.id}`, sql`${hemsSystems.meteringPointId}`).mapWith(Boolean),
        })
        .from(hemsSystems)
        .where(eq(hemsSystems.id, hemsId))
        .for('no key update');
      if (!system?.mayView) throw new NotFoundError('HEMS');
      if (!system.mayCondition) throw new ForbiddenError('Only the customer, or the retailer it shares its HEMS with, sets its flexible loads');
      const own = await tx.select({ id: devices.id, controllable: devices.controllable }).from(devices).where(eq(devices.hemsId, hemsId));
      const { loads, problems } = parseFlexibleLoads(drafts, new Map(own.map((device) => [device.id, device])));
      if (problems.length > 0) throw problemsError(problems);
      await tx.delete(flexibleLoads).where(and(eq(flexibleLoads.hemsId, hemsId), sql`NOT ${anyText(flexibleLoads.deviceId, loads.map((load) => load.deviceId))}`));
      if (loads.length > 0) {
        const excluded = (column: string) => sql.raw(`excluded.${column}`);
        await tx
          .insert(flexibleLoads)
          .values(loads.map((load) => ({ id: flexibleLoadId(load.deviceId), hemsId, ...load })))
          .onConflictDoUpdate({
            target: flexibleLoads.deviceId,
            set: {
              earliestStartMinute: excluded('earliest_start_minute'),
              latestEndMinute: excluded('latest_end_minute'),
              maxShiftMinutes: excluded('max_shift_minutes'),
              minRunMinutes: excluded('min_run_minutes'),
              priority: excluded('priority'),
              optedOut: excluded('opted_out'),
              updatedAt: sql`now()`,
            },
          });
      }
      const optedOut = loads.filter((load) => load.optedOut).length;
      await recordMutation(tx, actor, 'setFlexibleLoads', hemsId, `${loads.length} flexible loads, ${optedOut} opted out`);
    });
  }
}
