import { batchRejections, INTERVAL_MS, readingProblem, REJECT_REASONS, type ReadingRow } from './reading.rules';

const now = Date.parse('2026-11-26T10:00:00Z');
const row = (overrides: Partial<ReadingRow> = {}): ReadingRow => ({
  meteringPointId: 'PT0002000000000001AA',
  intervalStartMs: Date.parse('2026-11-26T09:30:00Z'),
  importWh: 120,
  exportWh: 0,
  quality: 'MEASURED',
  ...overrides,
});

describe('readingProblem', () => {
  it('accepts a measured quarter-hour that is over', () => {
    expect(readingProblem(row(), now)).toBeNull();
    expect(readingProblem(row({ intervalStartMs: now - INTERVAL_MS }), now)).toBeNull();
  });

  it('rejects an interval not aligned to 15 minutes', () => {
    expect(readingProblem(row({ intervalStartMs: Date.parse('2026-11-26T09:31:00Z') }), now)).toBe(REJECT_REASONS.misaligned);
  });

  it('rejects an interval that has not ended yet', () => {
    expect(readingProblem(row({ intervalStartMs: Date.parse('2026-11-26T10:00:00Z') }), now)).toBe(REJECT_REASONS.future);
    expect(readingProblem(row({ intervalStartMs: Date.parse('2026-11-27T00:00:00Z') }), now)).toBe(REJECT_REASONS.future);
  });

  it('rejects negative, fractional and absurd energies', () => {
    for (const bad of [{ importWh: -1 }, { exportWh: 1.5 }, { importWh: Number.NaN }, { importWh: 2 ** 60 }]) {
      expect(readingProblem(row(bad), now)).toBe(REJECT_REASONS.badEnergy);
    }
  });

  it('rejects energies above what the readings table can hold, through the mutation as through the file', () => {
    expect(readingProblem(row({ importWh: 2_147_483_647 }), now)).toBeNull();
    expect(readingProblem(row({ importWh: 2_147_483_648 }), now)).toBe(REJECT_REASONS.tooMuchEnergy);
    expect(readingProblem(row({ exportWh: 3e9 }), now)).toBe(REJECT_REASONS.tooMuchEnergy);
  });

  it('rejects an interval outside this century, where it would be a typo', () => {
    expect(readingProblem(row({ intervalStartMs: Date.UTC(1999, 11, 31, 23, 45) }), now)).toBe(REJECT_REASONS.outOfRange);
    expect(readingProblem(row({ intervalStartMs: Date.UTC(2000, 0, 1) }), now)).toBeNull();
    expect(readingProblem(row({ intervalStartMs: Date.UTC(-271_820, 0, 1) }), Number.MAX_SAFE_INTEGER)).toBe(REJECT_REASONS.outOfRange);
    expect(readingProblem(row({ intervalStartMs: Date.UTC(2100, 0, 1) }), Number.MAX_SAFE_INTEGER)).toBe(REJECT_REASONS.outOfRange);
  });

  it('rejects an unknown quality', () => {
    expect(readingProblem(row({ quality: 'GUESSED' }), now)).toBe(REJECT_REASONS.badQuality);
  });
});

describe('batchRejections', () => {
  it('names every bad row by index, unknown points and later duplicates included', () => {
    const rows = [
      row(),
      row({ meteringPointId: 'nope' }),
      row(),
      row({ importWh: -3 }),
      row({ intervalStartMs: Date.parse('2026-11-26T09:45:00Z') - INTERVAL_MS }), // 09:30 again
    ];
    expect(batchRejections(rows, now, (id) => id !== 'nope')).toEqual([
      { index: 1, reason: REJECT_REASONS.unknownPoint },
      { index: 2, reason: REJECT_REASONS.duplicate },
      { index: 3, reason: REJECT_REASONS.badEnergy },
      { index: 4, reason: REJECT_REASONS.duplicate },
    ]);
  });

  it('finds nothing wrong with a clean batch', () => {
    const rows = [0, 1, 2].map((i) => row({ intervalStartMs: Date.parse('2026-11-26T06:00:00Z') + i * INTERVAL_MS }));
    expect(batchRejections(rows, now, () => true)).toEqual([]);
  });
});
