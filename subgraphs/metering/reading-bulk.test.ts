import { DemandScopeKind } from './demand.rules';
import { BinaryReadings, RollupDeltas, type PointDirectory, type PointPlacement } from './reading-bulk';
import { INTERVAL_MS } from './reading.rules';

const T0 = Date.parse('2026-03-02T00:00:00Z');
const at = (quarter: number) => T0 + quarter * INTERVAL_MS;

// Scopes: 0 network, 1 primary P, 2 secondary S, 3 feeder F, 4 retailer R1, 5 retailer R2.
const directory: PointDirectory = {
  points: new Map(),
  areas: [[0, 1, 2, 3], [0]],
  scopes: [
    [DemandScopeKind.Network, ''],
    [DemandScopeKind.PrimarySubstation, 'P'],
    [DemandScopeKind.SecondarySubstation, 'S'],
    [DemandScopeKind.Feeder, 'F'],
    [DemandScopeKind.Retailer, 'R1'],
    [DemandScopeKind.Retailer, 'R2'],
  ],
};

/** The COPY lines as sorted rows, for comparison. */
function rows(deltas: RollupDeltas): string[] {
  return [...deltas.copyLines()].join('').trimEnd().split('\n').sort();
}

describe('RollupDeltas', () => {
  it('sums readings into every scope of their placement and the retailer in force, per interval', () => {
    const switching: PointPlacement = { key: 1, area: 0, contracts: [{ fromMs: -Infinity, toMs: at(1), retailer: 4 }, { fromMs: at(1), toMs: Infinity, retailer: 5 }] };
    const staying: PointPlacement = { key: 2, area: 0, contracts: [{ fromMs: 0, toMs: Infinity, retailer: 4 }] };
    const deltas = new RollupDeltas(directory);
    deltas.add(switching, at(0), 10, 1);
    deltas.add(staying, at(0), 20, 0);
    deltas.add(switching, at(1), 30, 0);
    const q0 = new Date(at(0)).toISOString();
    const q1 = new Date(at(1)).toISOString();
    expect(rows(deltas)).toEqual(
      [
        `0\t\t${q0}\t30\t1\t2`,
        `1\tP\t${q0}\t30\t1\t2`,
        `2\tS\t${q0}\t30\t1\t2`,
        `3\tF\t${q0}\t30\t1\t2`,
        `4\tR1\t${q0}\t30\t1\t2`,
        `0\t\t${q1}\t30\t0\t1`,
        `1\tP\t${q1}\t30\t0\t1`,
        `2\tS\t${q1}\t30\t0\t1`,
        `3\tF\t${q1}\t30\t0\t1`,
        `4\tR2\t${q1}\t30\t0\t1`,
      ].sort(),
    );
  });

  it('counts a point without a connection or contract in the network only, and one under overlapping contracts once per contract, as the merge does', () => {
    const unplaced: PointPlacement = { key: 3, area: 1, contracts: [] };
    const overlapping: PointPlacement = { key: 4, area: 1, contracts: [{ fromMs: 0, toMs: Infinity, retailer: 4 }, { fromMs: 0, toMs: Infinity, retailer: 5 }] };
    const deltas = new RollupDeltas(directory);
    deltas.add(unplaced, at(-3), 5, 0);
    deltas.add(overlapping, at(-3), 7, 2);
    const q = new Date(at(-3)).toISOString();
    expect(rows(deltas)).toEqual([`0\t\t${q}\t19\t4\t3`, `4\tR1\t${q}\t7\t2\t1`, `4\tR2\t${q}\t7\t2\t1`].sort());
  });

  it('writes nothing when nothing was added', () => {
    expect([...new RollupDeltas(directory).copyLines()]).toEqual([]);
  });
});

describe('BinaryReadings', () => {
  it('writes the COPY header, rows of five fields with timestamps in microseconds from 2000, and the trailer', () => {
    const rows = new BinaryReadings(1);
    rows.add(7, Date.parse('1999-12-31T23:45:00Z'), 120, 3, 1);
    expect(rows.isFull).toBe(true);
    const first = rows.take();
    const header = 19;
    expect(first.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
    expect(first.length).toBe(header + 44);
    const row = first.subarray(header);
    expect(row.readInt16BE(0)).toBe(5);
    expect([row.readInt32BE(2), row.readInt32BE(6)]).toEqual([4, 7]);
    expect([row.readInt32BE(10), row.readBigInt64BE(14)]).toEqual([8, -900_000_000n]);
    expect([row.readInt32BE(22), row.readInt32BE(26), row.readInt32BE(30), row.readInt32BE(34)]).toEqual([4, 120, 4, 3]);
    expect([row.readInt32BE(38), row.readInt16BE(42)]).toEqual([2, 1]);
    rows.add(8, Date.parse('2026-03-02T00:15:00Z'), 0, 0, 0);
    const last = rows.finish();
    expect(last.length).toBe(44 + 2);
    expect(last.readBigInt64BE(14)).toBe(BigInt(Date.parse('2026-03-02T00:15:00Z') - Date.UTC(2000, 0, 1)) * 1000n);
    expect(last.readInt16BE(44)).toBe(-1);
  });
});
