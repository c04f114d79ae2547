import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT, runNpm } from './testing/run-command';

/**
 * `npm run powerflow` as an operator or an independent checker runs it, on the two-bus fixture: a
 * stiff source, an ideal transformer, 0.1 Ω of resistive cable and one unity power factor load on
 * phase A of bus 2 (2 kW at minute 1, 10 kW at minute 720, none at minute 1440).
 */

const FIXTURE = path.join(PROJECT_ROOT, 'tools/testing/fixtures/two-bus-feeder');
const E = 400 / Math.sqrt(3);
const R = 0.1;
/** V² − E·V + R·P = 0 on the loaded phase. */
const loadVoltage = (pW: number) => (E + Math.sqrt(E * E - 4 * R * pW)) / 2;

const powerflow = (...args: string[]) => runNpm(['run', '--silent', 'powerflow', '--', ...args], process.env);

interface Contract {
  buses: Record<string, (number | null)[]>;
  substation: { pKw: number[]; qKvar: number[] };
  iterations: number;
}

function parseContract(stdout: string): Contract {
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  const parsed: unknown = JSON.parse(lines[0]);
  expect(parsed).toEqual({
    buses: { '1': [expect.any(Number), expect.any(Number), expect.any(Number)], '2': [expect.any(Number), expect.any(Number), expect.any(Number)] },
    substation: { pKw: [expect.any(Number), expect.any(Number), expect.any(Number)], qKvar: [expect.any(Number), expect.any(Number), expect.any(Number)] },
    iterations: expect.any(Number),
  });
  // The shape was checked field by field just above.
  return parsed as Contract;
}

describe('npm run powerflow', () => {
  it('prints the contract JSON with the hand-worked voltages and powers', async () => {
    const { code, stdout, stderr } = await powerflow('--feeder', FIXTURE, '--minute', '1', '--json');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const result = parseContract(stdout);
    // 2 kW: V = (230.9401 + √(53,333.33 − 800)) / 2 = 230.0708 V; I = 8.6930 A; losses 0.1 · I² = 7.557 W.
    expect(result.buses['2'][0]).toBeCloseTo(loadVoltage(2000), 6);
    expect(result.buses['2'][0]).toBeCloseTo(230.070810, 6);
    for (const v of [...result.buses['1'], result.buses['2'][1], result.buses['2'][2]]) expect(v).toBeCloseTo(E, 6);
    const current = 2000 / loadVoltage(2000);
    expect(result.substation.pKw[0]).toBeCloseTo(2 + (R * current * current) / 1000, 6);
    expect(result.substation.pKw.slice(1)).toEqual([expect.closeTo(0, 9), expect.closeTo(0, 9)]);
    expect(result.substation.qKvar).toEqual([expect.closeTo(0, 9), expect.closeTo(0, 9), expect.closeTo(0, 9)]);
    expect(result.iterations).toBeGreaterThanOrEqual(2);
  });

  it('solves the minute asked for', async () => {
    const peak = parseContract((await powerflow('--feeder', FIXTURE, '--minute', '720', '--json')).stdout);
    expect(peak.buses['2'][0]).toBeCloseTo(loadVoltage(10_000), 6);
    const idle = parseContract((await powerflow('--feeder', FIXTURE, '--minute', '1440', '--json')).stdout);
    expect(idle.buses['2']).toEqual([expect.closeTo(E, 9), expect.closeTo(E, 9), expect.closeTo(E, 9)]);
    expect(idle.iterations).toBe(1);
  });

  it('prints a readable summary without --json', async () => {
    const { code, stdout } = await powerflow('--feeder', FIXTURE, '--minute', '1');
    expect(code).toBe(0);
    expect(stdout).toContain('two-bus-feeder: 2 buses, 1 segments, 1 loads; minute 1');
    expect(stdout).toMatch(/converged in \d+ iterations/);
    expect(stdout).toContain('phase A: 2.008 kW 0 kvar; lowest 230.071 V (0.9962 pu) at bus 2');
    expect(stdout).toContain('transformer loading');
  });

  it.each([['0'], ['1441'], ['1.5'], ['noon']])('refuses --minute %s with the range, no stack', async (minute) => {
    const { code, stdout, stderr } = await powerflow('--feeder', FIXTURE, '--minute', minute);
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toContain('expected a whole minute of the day, 1 to 1440');
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('names a missing folder, no stack', async () => {
    const missing = path.join(tmpdir(), 'no-such-feeder-folder');
    const { code, stderr } = await powerflow('--feeder', missing, '--minute', '1');
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(`powerflow: ${missing}: folder not found`);
  });

  it('names the file, line and field of a malformed feeder, no stack', async () => {
    const folder = path.join(mkdtempSync(path.join(tmpdir(), 'powerflow-')), 'feeder');
    try {
      cpSync(FIXTURE, folder, { recursive: true });
      writeFileSync(path.join(folder, 'Lines.csv'), 'Name,Bus1,Bus2,Phases,Length,Units,LineCode\nLINE1,1,2,ABC,100,m,unknown_code\n');
      const { code, stderr } = await powerflow('--feeder', folder, '--minute', '1', '--json');
      expect(code).toBe(2);
      expect(stderr.trim()).toBe('powerflow: Lines.csv, line 2, field LineCode: unknown line code "unknown_code" (not in LineCodes.csv)');
    } finally {
      rmSync(path.dirname(folder), { recursive: true, force: true });
    }
  });
});
