import { count, eq, sql } from 'drizzle-orm';
import type { PgInsertValue, PgTable } from 'drizzle-orm/pg-core';
import * as tables from '../../schema/tables';
import { ieeeLineCodeAmpacityA } from '../../subgraphs/grid/cable-ampacity.rules';
import { modelId } from '../../subgraphs/grid/network-model.rules';
import type { LvNetwork } from '../../subgraphs/grid/lv-network';
import type { Database } from '../../subgraphs/kit/db';
import { anyText } from '../../subgraphs/kit/sql';
import { RESIDENTIAL_POWERS_KVA, customerClass } from '../seed/parish';

/**
 * A feeder read from the IEEE European LV CSV format (subgraphs/grid/ieee-feeder.csv.ts) imported
 * as one secondary substation with one feeder: its transformer and MV source, buses, line
 * segments, line codes, and one metering point per load, connected at the load's bus and phase.
 * Everything in one transaction: an import lands whole or not at all.
 */

export interface FeederImportOptions {
  secondarySubstationId: string;
  name: string;
  /** Created when it does not exist yet. */
  primarySubstationId: string;
  latitude: number;
  longitude: number;
  /** metering_points.retailer_id is required and the IEEE files name no supplier. */
  retailerId: string;
  /** When the imported points' supply contracts start. */
  now: Date;
}

export interface FeederImportSummary {
  secondarySubstationId: string;
  feederId: string;
  buses: number;
  lineSegments: number;
  lineCodes: number;
  newLineCodes: number;
  meteringPoints: number;
}

/** The import cannot go ahead as asked (an id taken, a line code the catalogue has otherwise); nothing was written. */
export class ImportRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportRefusedError';
  }
}

export const importedFeederId = (secondarySubstationId: string) => `${secondarySubstationId}-F1`;

/** The power factor the IEEE loads give; a contract is sized on the apparent power. */
function contractFor(peakKw: number, powerFactor: number): number {
  const kva = peakKw / powerFactor;
  const fits = RESIDENTIAL_POWERS_KVA.find((standard) => standard >= kva);
  return fits ?? RESIDENTIAL_POWERS_KVA[RESIDENTIAL_POWERS_KVA.length - 1]!;
}

type Rows = ReturnType<typeof importRows>;

/** The rows an import writes (metering point keys aside, which the transaction allocates). */
export function importRows(network: LvNetwork, options: FeederImportOptions) {
  const ssId = options.secondarySubstationId;
  const feederId = importedFeederId(ssId);
  // Ids are the files' names under the substation's, so that one feeder can be imported under several ids.
  const id = (name: string) => modelId(ssId, name);
  const { transformer, source } = network;
  const lineCodes = network.lineCodes.map((code) => ({
    name: code.name,
    r1OhmPerKm: code.r1OhmPerKm,
    x1OhmPerKm: code.x1OhmPerKm,
    r0OhmPerKm: code.r0OhmPerKm,
    x0OhmPerKm: code.x0OhmPerKm,
    ampacityA: code.ampacityA ?? ieeeLineCodeAmpacityA(code),
    source: `IEEE PES European LV Test Feeder (CSV, LineCodes.csv); ampacity from the name: subgraphs/grid/cable-ampacity.rules.ts`,
  }));
  const meteringPoints = network.loads.map((load) => {
    const shape = load.shape === null ? undefined : network.shapes.get(load.shape);
    // A shape's kW per minute: its peak sizes the contract, its sum over a day × 365 the annual energy.
    const peakKw = shape ? Math.max(...shape) : 0;
    const annualConsumptionKwh = shape ? Math.round((shape.reduce((sum, kw) => sum + kw, 0) / 60) * 365) : 0;
    const contractedPowerKva = contractFor(peakKw, load.powerFactor);
    return {
      id: id(load.name),
      customerClass: customerClass(contractedPowerKva, annualConsumptionKwh),
      usage: 'RESIDENTIAL',
      contractedPowerKva,
      pvCapacityKwp: 0,
      annualConsumptionKwh,
      retailerId: options.retailerId,
    };
  });
  return {
    primarySubstation: { id: options.primarySubstationId, name: options.primarySubstationId },
    secondarySubstation: {
      id: ssId,
      name: options.name,
      primarySubstationId: options.primarySubstationId,
      ratedPowerKva: transformer.ratedKva,
      latitude: options.latitude,
      longitude: options.longitude,
      transformerPrimaryKv: transformer.primaryKv,
      transformerSecondaryKv: transformer.secondaryKv,
      transformerConnection: transformer.connection,
      transformerResistancePercent: transformer.resistancePercent,
      transformerReactancePercent: transformer.reactancePercent,
      sourceVoltageKv: source.voltageKv,
      sourceVoltagePu: source.voltagePu,
      sourceIsc3A: source.isc3A,
      sourceIsc1A: source.isc1A,
      sourceX1R1: source.x1r1,
      sourceX0R0: source.x0r0,
      lvBusId: id(network.rootBus),
    },
    feeder: { id: feederId, name: `${options.name}, saída 1`, secondarySubstationId: ssId },
    lineCodes,
    buses: network.buses.map((bus) => ({ id: id(bus.name), secondarySubstationId: ssId, name: bus.name, x: bus.x, y: bus.y })),
    lineSegments: network.lines.map((line) => ({
      id: id(line.name),
      secondarySubstationId: ssId,
      feederId,
      name: line.name,
      fromBusId: id(line.fromBus),
      toBusId: id(line.toBus),
      lengthM: line.lengthM,
      lineCode: line.lineCode,
    })),
    meteringPoints,
    supplyContracts: meteringPoints.map((point) => ({ meteringPointId: point.id, retailerId: options.retailerId, validFrom: options.now, validTo: null })),
    connections: network.loads.map((load) => ({ meteringPointId: id(load.name), feederId, phase: load.phase, busId: id(load.bus) })),
  };
}

/** Rows per INSERT: under PostgreSQL's 65,535 parameters for the widest table (8 columns). */
const INSERT_CHUNK = 2_000;

async function insertChunked<T extends PgTable>(tx: Database, table: T, rows: readonly PgInsertValue<T>[]): Promise<void> {
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) await tx.insert(table).values(rows.slice(start, start + INSERT_CHUNK));
}

const sameCode = (a: Rows['lineCodes'][number], b: typeof tables.lineCodes.$inferSelect) =>
  a.r1OhmPerKm === b.r1OhmPerKm && a.x1OhmPerKm === b.x1OhmPerKm && a.r0OhmPerKm === b.r0OhmPerKm && a.x0OhmPerKm === b.x0OhmPerKm;

/**
 * Writes the feeder in one transaction. Refused (ImportRefusedError, nothing written) when the
 * secondary substation or one of the metering points exists already, or when the catalogue holds
 * one of its line codes with other impedances; line codes it holds with the same ones are shared.
 */
export async function importFeeder(db: Database, network: LvNetwork, options: FeederImportOptions): Promise<FeederImportSummary> {
  const rows = importRows(network, options);
  return db.transaction(async (tx) => {
    // Self-conflicting, as the seed takes it: keys are allocated after the largest one.
    await tx.execute(sql`LOCK TABLE metering.metering_points IN SHARE ROW EXCLUSIVE MODE`);
    const [existing] = await tx.select({ n: count() }).from(tables.secondarySubstations).where(eq(tables.secondarySubstations.id, options.secondarySubstationId));
    if ((existing?.n ?? 0) > 0) {
      throw new ImportRefusedError(`secondary substation ${options.secondarySubstationId} exists already: re-importing is refused; import under another --secondary-substation-id`);
    }
    const taken = await tx
      .select({ id: tables.meteringPoints.id })
      .from(tables.meteringPoints)
      .where(anyText(tables.meteringPoints.id, rows.meteringPoints.map((point) => point.id)))
      .limit(1);
    if (taken[0]) throw new ImportRefusedError(`metering point ${taken[0].id} exists already`);
    const held = await tx.select().from(tables.lineCodes).where(anyText(tables.lineCodes.name, rows.lineCodes.map((code) => code.name)));
    const heldByName = new Map(held.map((code) => [code.name, code]));
    for (const code of rows.lineCodes) {
      const other = heldByName.get(code.name);
      if (other && !sameCode(code, other)) throw new ImportRefusedError(`line code ${code.name} exists with other impedances (${other.source})`);
    }
    const newCodes = rows.lineCodes.filter((code) => !heldByName.has(code.name));

    await tx.insert(tables.primarySubstations).values(rows.primarySubstation).onConflictDoNothing();
    // Its LV bus's key is checked at commit, once the buses are in.
    await tx.insert(tables.secondarySubstations).values(rows.secondarySubstation);
    await tx.insert(tables.feeders).values(rows.feeder);
    if (newCodes.length > 0) await tx.insert(tables.lineCodes).values(newCodes);
    await insertChunked(tx, tables.buses, rows.buses);
    await insertChunked(tx, tables.lineSegments, rows.lineSegments);
    const [{ maxKey } = { maxKey: 0 }] = await tx.select({ maxKey: sql<number>`coalesce(max(${tables.meteringPoints.key}), 0)::int` }).from(tables.meteringPoints);
    await insertChunked(tx, tables.meteringPoints, rows.meteringPoints.map((point, i) => ({ ...point, key: maxKey + i + 1 })));
    await insertChunked(tx, tables.supplyContracts, rows.supplyContracts);
    await insertChunked(tx, tables.connections, rows.connections);
    return {
      secondarySubstationId: options.secondarySubstationId,
      feederId: rows.feeder.id,
      buses: rows.buses.length,
      lineSegments: rows.lineSegments.length,
      lineCodes: rows.lineCodes.length,
      newLineCodes: newCodes.length,
      meteringPoints: rows.meteringPoints.length,
    };
  });
}

/**
 * How a network read back from the tables differs from the one imported (names under the
 * substation's id, the import's feeder, loads as metering points): empty when the import kept
 * every bus, segment, line code, load, the transformer and the source.
 */
export function networkDifferences(imported: LvNetwork, source: LvNetwork, secondarySubstationId: string): string[] {
  const id = (name: string) => modelId(secondarySubstationId, name);
  const feederId = importedFeederId(secondarySubstationId);
  const differences: string[] = [];
  const compare = (what: string, got: readonly string[], expected: readonly string[]) => {
    const gotSet = new Set(got);
    const expectedSet = new Set(expected);
    const missing = expected.filter((item) => !gotSet.has(item));
    const extra = got.filter((item) => !expectedSet.has(item));
    if (got.length !== expected.length) differences.push(`${what}: ${got.length} instead of ${expected.length}`);
    if (missing.length > 0) differences.push(`${what} missing: ${missing.slice(0, 3).join('; ')}`);
    if (extra.length > 0) differences.push(`${what} unexpected: ${extra.slice(0, 3).join('; ')}`);
  };
  compare(
    'buses',
    imported.buses.map((bus) => `${bus.name} ${bus.x} ${bus.y}`),
    source.buses.map((bus) => `${id(bus.name)} ${bus.x} ${bus.y}`),
  );
  compare(
    'lines',
    imported.lines.map((line) => `${line.name} ${line.fromBus}→${line.toBus} ${line.lengthM} m ${line.lineCode} ${line.feederId}`),
    source.lines.map((line) => `${id(line.name)} ${id(line.fromBus)}→${id(line.toBus)} ${line.lengthM} m ${line.lineCode} ${feederId}`),
  );
  const impedances = (code: LvNetwork['lineCodes'][number]) => `${code.name} ${code.r1OhmPerKm} ${code.x1OhmPerKm} ${code.r0OhmPerKm} ${code.x0OhmPerKm}`;
  compare('line codes', imported.lineCodes.map(impedances), source.lineCodes.map(impedances));
  compare(
    'loads',
    imported.loads.map((load) => `${load.meteringPointId} ${load.bus} ${load.phase} ×${load.share} pf ${load.powerFactor}`),
    source.loads.map((load) => `${id(load.name)} ${id(load.bus)} ${load.phase} ×${load.share} pf ${load.powerFactor}`),
  );
  if (imported.rootBus !== id(source.rootBus)) differences.push(`root bus ${imported.rootBus} instead of ${id(source.rootBus)}`);
  if (JSON.stringify(imported.transformer) !== JSON.stringify(source.transformer)) differences.push(`transformer ${JSON.stringify(imported.transformer)} instead of ${JSON.stringify(source.transformer)}`);
  if (JSON.stringify(imported.source) !== JSON.stringify(source.source)) differences.push(`MV source ${JSON.stringify(imported.source)} instead of ${JSON.stringify(source.source)}`);
  return differences;
}
