import { measurementRejections, type MeasurementRow } from './measurement.rules';
import { REJECT_REASONS } from './reading.rules';

const now = Date.parse('2026-11-26T10:00:00Z');
const phase = { activePowerKw: 40, reactivePowerKvar: 12, voltageV: 231 };
const row = (overrides: Partial<MeasurementRow> = {}): MeasurementRow => ({
  secondarySubstationId: 'PT0001',
  intervalStartMs: Date.parse('2026-11-26T09:00:00Z'),
  phases: [phase, phase, phase],
  ...overrides,
});

describe('measurementRejections', () => {
  it('accepts a clean three-phase measurement', () => {
    expect(measurementRejections([row()], now, () => true)).toEqual([]);
  });

  it('names unknown substations, misaligned or future intervals, missing phases, absurd voltages and duplicates', () => {
    const rows = [
      row({ secondarySubstationId: 'nowhere' }),
      row({ intervalStartMs: Date.parse('2026-11-26T09:05:00Z') }),
      row({ intervalStartMs: Date.parse('2026-11-26T10:00:00Z') }),
      row({ intervalStartMs: Date.parse('2026-11-26T08:00:00Z'), phases: [phase, phase] }),
      row({ intervalStartMs: Date.parse('2026-11-26T08:15:00Z'), phases: [phase, phase, { ...phase, voltageV: 11_000 }] }),
      row(),
      row(),
    ];
    expect(measurementRejections(rows, now, (id) => id !== 'nowhere')).toEqual([
      { index: 0, reason: 'unknown secondary substation' },
      { index: 1, reason: REJECT_REASONS.misaligned },
      { index: 2, reason: REJECT_REASONS.future },
      { index: 3, reason: 'exactly three phases (A, B, C) are required' },
      { index: 4, reason: 'voltage outside 0-500 V' },
      { index: 6, reason: REJECT_REASONS.duplicate },
    ]);
  });

  it('rejects a power beyond what a secondary substation carries, a unit error', () => {
    const rows = [
      row({ phases: [phase, phase, { ...phase, activePowerKw: -100_000 }] }),
      row({ intervalStartMs: Date.parse('2026-11-26T08:00:00Z'), phases: [phase, { ...phase, activePowerKw: 100_001 }, phase] }),
      row({ intervalStartMs: Date.parse('2026-11-26T08:15:00Z'), phases: [phase, phase, { ...phase, reactivePowerKvar: -1e7 }] }),
    ];
    expect(measurementRejections(rows, now, () => true)).toEqual([
      { index: 1, reason: 'power beyond ±100000 kW (kvar) per phase' },
      { index: 2, reason: 'power beyond ±100000 kW (kvar) per phase' },
    ]);
  });
});
