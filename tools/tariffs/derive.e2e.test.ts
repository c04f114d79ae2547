import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DayChart, ErsePeriodTable } from '../../subgraphs/tariffs/erse-periods.rules';
import { ERSE_CHART } from '../../subgraphs/tariffs/erse-periods.table';
import { runNpm } from '../testing/run-command';
import { ERSE_CHART_FILE } from './erse-chart';

jest.setTimeout(60_000);

/** ERSE's chart in the shared file's own shape (pyerse's names), written back from a table. */
function rawChart(table: ErsePeriodTable, source: string) {
  const week = (season: 'SUMMER' | 'WINTER') => ({ segunda_a_sexta: table.weekly[season].WEEKDAY, sabado: table.weekly[season].SATURDAY, domingo: table.weekly[season].SUNDAY });
  return { source, continental: { diario: { verao: table.daily.SUMMER, inverno: table.daily.WINTER }, semanal: { verao: week('SUMMER'), inverno: week('WINTER') } } };
}

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mh-erse-'));
  await mkdir(path.join(dir, 'tariffs'));
});

afterEach(() => rm(dir, { recursive: true, force: true }));

describe('npm run tariffs:derive', () => {
  it("compiles ERSE's chart into the table the hub commits, naming the chart's source", async () => {
    await writeFile(path.join(dir, ERSE_CHART_FILE), JSON.stringify(rawChart(ERSE_CHART, 'a test copy of the ERSE chart')));
    const out = path.join(dir, 'table.json');
    const { code, stdout } = await runNpm(['run', '--silent', 'tariffs:derive', '--', '--shared-data-dir', dir, '--out', out], process.env);
    expect(code).toBe(0);
    expect(stdout).toContain('a test copy of the ERSE chart');
    const table = JSON.parse(await readFile(out, 'utf8')) as ErsePeriodTable;
    expect(table).toEqual({ ...ERSE_CHART, source: `${ERSE_CHART_FILE} (a test copy of the ERSE chart)` });
  });

  it('refuses a chart whose day is not a partition into quarter-hours, naming the fault, and writes nothing', async () => {
    const winter: DayChart = { ...ERSE_CHART.daily.WINTER, ponta: [['09:00', '10:40'], ...ERSE_CHART.daily.WINTER.ponta.slice(1)] };
    await writeFile(path.join(dir, ERSE_CHART_FILE), JSON.stringify(rawChart({ ...ERSE_CHART, daily: { ...ERSE_CHART.daily, WINTER: winter } }, 'broken')));
    const out = path.join(dir, 'table.json');
    const { code, stderr } = await runNpm(['run', '--silent', 'tariffs:derive', '--', '--shared-data-dir', dir, '--out', out], process.env);
    expect(code).not.toBe(0);
    expect(stderr).toContain('daily WINTER: ponta 09:00-10:40 is not a range of whole quarter-hours');
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });
});
