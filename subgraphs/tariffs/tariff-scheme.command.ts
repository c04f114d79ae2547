import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { BadUserInputError, NotFoundError } from '../../schema/errors';
import type { PricedPeriod, SchemeStatus } from '../../schema/tariffs';
import { tariffSchemePrices, tariffSchemes } from '../../schema/tables';
import { recordMutation, type Actor } from '../kit/audit';
import type { Database, Transaction } from '../kit/db';
import type { SchemeVersionValues } from './tariff-scheme.rules';

/**
 * Writing scheme versions. A version is written whole (its row and its prices) in one transaction
 * with its audit line; a published version never changes again (a trigger, migrations/0020), so a
 * change is a new version of the same family: the next version number, under a lock on the family
 * so that two versions written at once do not take the same number.
 */

/** Writes a version in `tx`: the next of `values.family`, or version 1 of a new family named by its id. Returns its id. */
export async function insertSchemeVersion(tx: Transaction, values: SchemeVersionValues, status: SchemeStatus): Promise<string> {
  const id = `ts-${randomUUID()}`;
  let family = id;
  let version = 1;
  if (values.family !== null) {
    family = values.family;
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('tariffs.schemes.family'), hashtext(${family}))`);
    const result = await tx.execute<{ version: number | null }>(sql`SELECT max(version) AS version FROM tariffs.schemes WHERE family = ${family}`);
    const latest = result.rows[0]?.version ?? null;
    if (latest === null) throw new BadUserInputError(`there is no scheme family ${family}: leave family out for a new scheme`, { field: 'family' });
    version = Number(latest) + 1;
  }
  await tx.insert(tariffSchemes).values({
    id,
    family,
    version,
    name: values.name,
    kind: values.kind,
    cycle: values.cycle,
    status,
    powerPriceNanoEurPerKvaDay: values.powerNanoEurPerKvaDay,
    validFrom: values.validFrom,
    validTo: values.validTo,
    publishedAt: status === 'PUBLISHED' ? new Date() : null,
  });
  const prices = Object.entries(values.energyNanoEurPerKwh).map(([period, nano]) => ({ schemeId: id, period: period as PricedPeriod, energyPriceNanoEurPerKwh: nano }));
  await tx.insert(tariffSchemePrices).values(prices);
  return id;
}

const summary = (values: SchemeVersionValues, status: SchemeStatus) =>
  `${status.toLowerCase()} ${values.kind}${values.cycle ? ` ${values.cycle}` : ''} '${values.name}'` +
  `${values.family ? ` as a new version of ${values.family}` : ''}, valid ${values.validFrom} to ${values.validTo ?? 'open end'}`;

/** createTariffScheme: a validated version (tariff-scheme.rules.ts parseSchemeDraft), as a draft or published. */
export function createTariffScheme(db: Database, values: SchemeVersionValues, publish: boolean, actor: Actor): Promise<string> {
  const status: SchemeStatus = publish ? 'PUBLISHED' : 'DRAFT';
  return db.transaction(async (tx) => {
    const id = await insertSchemeVersion(tx, values, status);
    await recordMutation(tx, actor, 'createTariffScheme', id, summary(values, status));
    return id;
  });
}

/**
 * publishTariffScheme: a draft becomes published, and immutable from then on. Publishing a
 * published version changes nothing (a retried request gets the same answer); an unknown id is NOT_FOUND.
 */
export function publishTariffScheme(db: Database, id: string, actor: Actor): Promise<void> {
  return db.transaction(async (tx) => {
    const published = await tx
      .update(tariffSchemes)
      .set({ status: 'PUBLISHED', publishedAt: new Date() })
      .where(and(eq(tariffSchemes.id, id), eq(tariffSchemes.status, 'DRAFT')))
      .returning({ id: tariffSchemes.id });
    if (published.length > 0) {
      await recordMutation(tx, actor, 'publishTariffScheme', id, 'published');
      return;
    }
    const [existing] = await tx.select({ id: tariffSchemes.id }).from(tariffSchemes).where(eq(tariffSchemes.id, id));
    if (!existing) throw new NotFoundError('Tariff scheme');
  });
}
