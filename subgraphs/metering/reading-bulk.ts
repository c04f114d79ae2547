import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DemandScopeKind } from './demand.rules';
import { addToRollups } from './reading-ingest.repo';
import { INTERVAL_MS } from './reading.rules';

/**
 * The bulk load's fast path for readings that are all new: keys and rollup placement resolved
 * in memory from one read of the metering points (a few thousand to tens of thousands of rows),
 * readings COPYed straight into the partitioned table, and the rollups moved by totals summed
 * while streaming. It reproduces the merge's FAN_OUT_DELTA (reading-ingest.repo.ts) exactly,
 * overlapping contracts included, so either path leaves the same rollups.
 */

interface Contract {
  fromMs: number;
  toMs: number;
  /** Index of the retailer's scope in PointDirectory.scopes. */
  retailer: number;
}

export interface PointPlacement {
  key: number;
  /** Index of the point's grid placement in PointDirectory.areas. */
  area: number;
  contracts: Contract[];
}

export interface PointDirectory {
  points: ReadonlyMap<string, PointPlacement>;
  /** Per grid placement, the scopes its readings count in: the network, and primary, secondary and feeder when connected. */
  areas: readonly (readonly number[])[];
  /** Every scope a reading can count in, as kind and id. */
  scopes: readonly (readonly [DemandScopeKind, string])[];
}

/** Every metering point with its key, grid placement and supply contracts, read in the caller's transaction. */
export async function loadPointDirectory(client: PoolClient): Promise<PointDirectory> {
  const { rows } = await client.query<{
    id: string;
    key: number;
    feeder_id: string | null;
    secondary_substation_id: string | null;
    primary_substation_id: string | null;
    retailer_id: string | null;
    from_ms: number | null;
    to_ms: number | null;
  }>(`
    SELECT mp.id, mp.key, c.feeder_id, c.secondary_substation_id, c.primary_substation_id, sc.retailer_id,
      -- Milliseconds as float8 keep a contract's microseconds (a Date drops them), so it starts and ends where the merge's join says.
      extract(epoch FROM sc.valid_from)::float8 * 1000 AS from_ms, extract(epoch FROM sc.valid_to)::float8 * 1000 AS to_ms
    FROM metering.metering_points mp
    LEFT JOIN grid.metering_point_connections_v c ON c.metering_point_id = mp.id
    LEFT JOIN metering.supply_contracts sc ON sc.metering_point_id = mp.id`);
  const scopeIndex = new Map<string, number>();
  const scopes: [DemandScopeKind, string][] = [];
  const scope = (kind: DemandScopeKind, id: string) => {
    const name = `${kind}:${id}`;
    let index = scopeIndex.get(name);
    if (index === undefined) {
      index = scopes.push([kind, id]) - 1;
      scopeIndex.set(name, index);
    }
    return index;
  };
  const areaIndex = new Map<string, number>();
  const areas: number[][] = [];
  const points = new Map<string, PointPlacement>();
  for (const row of rows) {
    // One row per contract: the point's first row places it, each row with a contract adds one.
    let point = points.get(row.id);
    if (!point) {
      // A point without a connection counts in the network only, as the merge's LEFT JOIN leaves it.
      const areaScopes = [scope(DemandScopeKind.Network, '')];
      if (row.feeder_id !== null) {
        areaScopes.push(
          scope(DemandScopeKind.PrimarySubstation, row.primary_substation_id!),
          scope(DemandScopeKind.SecondarySubstation, row.secondary_substation_id!),
          scope(DemandScopeKind.Feeder, row.feeder_id),
        );
      }
      const areaName = areaScopes.join(',');
      let area = areaIndex.get(areaName);
      if (area === undefined) {
        area = areas.push(areaScopes) - 1;
        areaIndex.set(areaName, area);
      }
      point = { key: row.key, area, contracts: [] };
      points.set(row.id, point);
    }
    if (row.retailer_id !== null) point.contracts.push({ fromMs: row.from_ms!, toMs: row.to_ms ?? Infinity, retailer: scope(DemandScopeKind.Retailer, row.retailer_id) });
  }
  return { points, areas, scopes };
}

/**
 * The rollup deltas of new readings, summed per interval in one array of cells: a reading adds to
 * its grid placement's cell and to the cell of each retailer in force (two cells, whatever the
 * five scope kinds), and placements fan out to their scopes once at the end. Memory grows with
 * (placements + scopes) × intervals, never with readings. Sums stay exact: 2^53 Wh is far beyond
 * any file.
 */
export class RollupDeltas {
  /** Per quarter-hour: import, export and count of each placement, then of each scope. */
  private readonly quarters = new Map<number, Float64Array>();
  private lastQuarter = Number.NaN;
  private lastCells: Float64Array = new Float64Array(0);

  constructor(private readonly directory: PointDirectory) {}

  add(point: PointPlacement, intervalStartMs: number, importWh: number, exportWh: number): void {
    const cells = this.cellsOf(intervalStartMs / INTERVAL_MS);
    // The merge joins every contract in force: overlapping ones count the reading once each, in every scope.
    let matches = 0;
    for (const contract of point.contracts) {
      if (intervalStartMs >= contract.fromMs && intervalStartMs < contract.toMs) {
        matches++;
        const cell = 3 * (this.directory.areas.length + contract.retailer);
        cells[cell] += importWh;
        cells[cell + 1] += exportWh;
        cells[cell + 2] += 1;
      }
    }
    const times = Math.max(matches, 1);
    const cell = 3 * point.area;
    cells[cell] += importWh * times;
    cells[cell + 1] += exportWh * times;
    cells[cell + 2] += times;
  }

  /**
   * The deltas as COPY text lines of (scope_kind, scope_id, interval_start, import_wh, export_wh,
   * reading_count), scope after scope so that the rollups' primary key is written in runs.
   */
  *copyLines(): Generator<string> {
    const { areas, scopes } = this.directory;
    const quarters = [...this.quarters.keys()].sort((x, y) => x - y);
    const starts = quarters.map((quarter) => new Date(quarter * INTERVAL_MS).toISOString());
    const totals = quarters.map((quarter) => {
      const cells = this.quarters.get(quarter)!;
      const byScope = cells.slice(3 * areas.length);
      areas.forEach((areaScopes, area) => {
        for (const scope of areaScopes) for (let i = 0; i < 3; i++) byScope[3 * scope + i]! += cells[3 * area + i]!;
      });
      return byScope;
    });
    let chunk = '';
    for (let scope = 0; scope < scopes.length; scope++) {
      const [kind, id] = scopes[scope]!;
      for (let q = 0; q < quarters.length; q++) {
        const cells = totals[q]!;
        // Every reading counts at least once in a cell it touches: no count, no row, as in the merge.
        if (cells[3 * scope + 2] === 0) continue;
        chunk += `${kind}\t${copyText(id)}\t${starts[q]}\t${cells[3 * scope]}\t${cells[3 * scope + 1]}\t${cells[3 * scope + 2]}\n`;
      }
      if (chunk.length >= 1 << 16) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk.length > 0) yield chunk;
  }

  /** A file sorted by time repeats the previous row's quarter: that one skips the map. */
  private cellsOf(quarter: number): Float64Array {
    if (quarter === this.lastQuarter) return this.lastCells;
    let cells = this.quarters.get(quarter);
    if (!cells) {
      cells = new Float64Array(3 * (this.directory.areas.length + this.directory.scopes.length));
      this.quarters.set(quarter, cells);
    }
    this.lastQuarter = quarter;
    this.lastCells = cells;
    return cells;
  }
}

/** COPY's text format escapes backslash, tab and line breaks; scope ids are plain codes, so this rarely runs. */
function copyText(value: string): string {
  if (!/[\\\t\n\r]/.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/**
 * COPY straight into the readings, in the binary format: the server then takes integers as they
 * are instead of parsing a timestamp and three numbers per row. Any reading already there, or
 * repeated, fails it with a unique violation.
 */
export const READINGS_COPY = 'COPY metering.readings (metering_point_key, interval_start, import_wh, export_wh, quality) FROM STDIN (FORMAT binary)';

/** PostgreSQL's timestamps count microseconds from 2000-01-01T00:00:00Z. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const ROW_BYTES = 2 + (4 + 4) + (4 + 8) + (4 + 4) + (4 + 4) + (4 + 2);
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * Rows for READINGS_COPY, written into buffers of `rowsPerBuffer` rows: `take` hands over what
 * is written (the header first), `finish` the rest and the trailer.
 */
export class BinaryReadings {
  private buffer: Buffer;
  private offset = 0;

  constructor(private readonly rowsPerBuffer: number) {
    this.buffer = Buffer.allocUnsafe(SIGNATURE.length + 8 + rowsPerBuffer * ROW_BYTES);
    SIGNATURE.copy(this.buffer);
    // No flags, no header extension.
    this.buffer.writeInt32BE(0, SIGNATURE.length);
    this.buffer.writeInt32BE(0, SIGNATURE.length + 4);
    this.offset = SIGNATURE.length + 8;
  }

  get isFull(): boolean {
    return this.offset + ROW_BYTES > this.buffer.length;
  }

  add(key: number, intervalStartMs: number, importWh: number, exportWh: number, quality: number): void {
    const b = this.buffer;
    let o = b.writeInt16BE(5, this.offset);
    o = b.writeInt32BE(key, b.writeInt32BE(4, o));
    const micros = (intervalStartMs - PG_EPOCH_MS) * 1000;
    const high = Math.floor(micros / 2 ** 32);
    o = b.writeUInt32BE(micros - high * 2 ** 32, b.writeInt32BE(high, b.writeInt32BE(8, o)));
    o = b.writeInt32BE(importWh, b.writeInt32BE(4, o));
    o = b.writeInt32BE(exportWh, b.writeInt32BE(4, o));
    this.offset = b.writeInt16BE(quality, b.writeInt32BE(2, o));
  }

  take(): Buffer {
    const written = this.buffer.subarray(0, this.offset);
    this.buffer = Buffer.allocUnsafe(this.rowsPerBuffer * ROW_BYTES);
    this.offset = 0;
    return written;
  }

  finish(): Buffer {
    return Buffer.concat([this.take(), Buffer.from([0xff, 0xff])]);
  }
}

/**
 * Adds the deltas to the rollups in the caller's transaction, which must hold the ingest lock
 * and have inserted exactly the readings the deltas were summed from.
 */
export async function addRollupDeltas(client: PoolClient, deltas: RollupDeltas): Promise<void> {
  await client.query(`CREATE TEMP TABLE rollup_delta (
    scope_kind smallint NOT NULL, scope_id text NOT NULL, interval_start timestamptz NOT NULL,
    import_wh bigint NOT NULL, export_wh bigint NOT NULL, reading_count integer NOT NULL
  ) ON COMMIT DROP`);
  await pipeline(Readable.from(deltas.copyLines()), client.query(copyFrom('COPY pg_temp.rollup_delta FROM STDIN')));
  await client.query(addToRollups('SELECT scope_kind, scope_id, interval_start, import_wh, export_wh, reading_count FROM pg_temp.rollup_delta'));
}
