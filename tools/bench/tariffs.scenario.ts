import { civilDate, DAY_MS, epochDay, lisbonLocalDay, lisbonMidnightUtcMs, portugueseHolidays } from '../../subgraphs/kit/calendar';
import type { DayChart } from '../../subgraphs/tariffs/erse-periods.rules';
import { ERSE_CHART } from '../../subgraphs/tariffs/erse-periods.table';
import { MAX_POINT_DAYS } from '../../subgraphs/tariffs/tariff-sample.rules';
import { writeHistory } from '../seed/history';
import { postGraphQL } from '../testing/hub-fixture';
import { openBenchHub } from './bench-hub';
import type { Scenario } from './scenario';
import { medianOf, percentile, round, timeOnce } from './stats';

const BILLS = 30;
const BILL_WARMUP = 5;
const COMPARE_RUNS = 10;
const COMPARE_WARMUP = 2;
const SCHEMES = ['TP-SIMPLES', 'TP-BI-DIARIO', 'TP-TRI-SEMANAL'];

const BILL = `query($id: ID!, $from: DateTime!, $to: DateTime!) { bill(meteringPointId: $id, from: $from, to: $to) { totalEur quarterHours } }`;
const COMPARE = `query($from: DateTime!, $to: DateTime!, $schemeIds: [ID!]!) {
  compareSchemes(scope: { network: true }, from: $from, to: $to, schemeIds: $schemeIds) {
    quarterHours schemes { scheme { id } lines { period energyKwh costEur } customersCostEur dsoRevenueEur }
  }
}`;
const CURRENT = `query($ids: [ID!]!, $from: DateTime!, $to: DateTime!, $schemeIds: [ID!]!) {
  compareSchemes(scope: { meteringPointIds: $ids }, from: $from, to: $to, schemeIds: $schemeIds) { current { customersCostEur } schemes { changeVsCurrentEur } }
}`;

type Body<T> = { data?: T | null; errors?: { message: string }[] };
type CompareData = { compareSchemes: { quarterHours: number; schemes: { scheme: { id: string }; lines: { period: string; energyKwh: number }[] }[] } };

/** The previous whole calendar month in Lisbon: [its first local midnight, this month's first). */
function lastLocalMonth(nowMs: number): { fromMs: number; toMs: number } {
  const today = civilDate(lisbonLocalDay(nowMs));
  const first = epochDay(today.year, today.month, 1);
  const previous = civilDate(first - 1);
  return { fromMs: lisbonMidnightUtcMs(epochDay(previous.year, previous.month, 1)), toMs: lisbonMidnightUtcMs(first) };
}

/** The UTC days writeHistory writes to cover [fromMs, toMs) (a summer local day starts at 23:00 UTC the day before). */
function utcDaysCovering(fromMs: number, toMs: number): number[] {
  const days: number[] = [];
  for (let day = Math.floor(fromMs / DAY_MS) * DAY_MS; day < toMs; day += DAY_MS) days.push(day);
  return days;
}

/** A CASE naming the ERSE period of minute `m` (after local midnight) in one day's chart. */
const chartCase = (chart: DayChart) =>
  `CASE ${Object.entries(chart)
    .flatMap(([period, ranges]) => ranges.map(([from, to]) => `WHEN m >= ${minutes(from)} AND m < ${minutes(to)} THEN '${period}'`))
    .join(' ')} END`;
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * The floor: the same energy-per-period sums as one statement straight on metering.readings. The
 * readings of the month are summed per quarter-hour in one pass, then each quarter-hour is named
 * its ERSE period in the daily and in the weekly cycle (the charts written out as CASEs from the
 * committed table, the season by the local offset, holidays as Sundays), and the energy grouped
 * by the two: every scheme's period sums follow (flat: the total; the daily two-rate: daily
 * vazio_normal + super_vazio and the rest; the weekly three-rate: weekly periods).
 */
function floorSql(): string {
  const { daily, weekly } = ERSE_CHART;
  const season = (summer: string, winter: string) => `CASE WHEN summer THEN ${summer} ELSE ${winter} END`;
  const week = (s: 'SUMMER' | 'WINTER') =>
    `CASE WHEN dow = 0 OR local::date = ANY($3::date[]) THEN ${chartCase(weekly[s].SUNDAY)} WHEN dow = 6 THEN ${chartCase(weekly[s].SATURDAY)} ELSE ${chartCase(weekly[s].WEEKDAY)} END`;
  return `
    SELECT ${season(chartCase(daily.SUMMER), chartCase(daily.WINTER))} AS daily, ${season(week('SUMMER'), week('WINTER'))} AS weekly, sum(wh)::float8 AS wh
    FROM (
      SELECT wh, local, extract(dow FROM local) AS dow, extract(hour FROM local) * 60 + extract(minute FROM local) AS m,
        local - (interval_start AT TIME ZONE 'UTC') = interval '1 hour' AS summer
      FROM (
        SELECT interval_start, interval_start AT TIME ZONE 'Europe/Lisbon' AS local, sum(import_wh) AS wh
        FROM metering.readings WHERE interval_start >= $1 AND interval_start < $2 GROUP BY interval_start
      ) q
    ) c
    GROUP BY 1, 2`;
}

/** Each scheme's energy per period (Wh) from the floor's rows. */
function floorPeriods(rows: readonly { daily: string; weekly: string; wh: number }[]): Record<string, Map<string, number>> {
  const add = (map: Map<string, number>, key: string, wh: number) => map.set(key, (map.get(key) ?? 0) + wh);
  const flat = new Map<string, number>();
  const twoRate = new Map<string, number>();
  const threeRate = new Map<string, number>();
  for (const { daily, weekly, wh } of rows) {
    add(flat, 'all', wh);
    add(twoRate, daily === 'vazio_normal' || daily === 'super_vazio' ? 'vazio' : 'fora_vazio', wh);
    add(threeRate, weekly, wh);
  }
  return { 'TP-SIMPLES': flat, 'TP-BI-DIARIO': twoRate, 'TP-TRI-SEMANAL': threeRate };
}

/**
 * Tariffs on the demo parish with the last whole month of history: a month's bill of one point
 * (30 points, each once, after 5 others), and compareSchemes for the whole network over the
 * month on three schemes, next to the floor of the same sums as one SQL statement on the readings.
 */
export const tariffsScenario: Scenario = {
  name: 'tariffs',
  description: "a month's bill of one point, and the network's month on three schemes next to one SQL statement on the readings",
  async run({ customers }) {
    const { database, parish, hub, createKey, close } = await openBenchHub(customers);
    const month = lastLocalMonth(Date.now());
    try {
      const historyStartedMs = performance.now();
      await writeHistory(database, parish, { dayStartsMs: utcDaysCovering(month.fromMs, month.toMs) });
      await database.pool.query('ANALYZE');
      const historyMs = performance.now() - historyStartedMs;
      const dso = (await createKey('dso', 'dso')).key;
      const url = `${hub.url}/graphql`;
      const window = { from: new Date(month.fromMs).toISOString(), to: new Date(month.toMs).toISOString() };
      const ask = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
        const { body } = await postGraphQL<T>(url, query, { authorization: `Bearer ${dso}` }, variables);
        if ((body as Body<T>).errors || !body.data) throw new Error(`unexpected answer: ${JSON.stringify(body).slice(0, 300)}`);
        return body.data;
      };

      // Points spread over the parish, a different one each time (no answer cached).
      const step = Math.floor(parish.meteringPoints.length / (BILLS + BILL_WARMUP));
      const billPoints = Array.from({ length: BILLS + BILL_WARMUP }, (_, i) => parish.meteringPoints[i * step]!.id);
      for (const id of billPoints.slice(0, BILL_WARMUP)) await ask(BILL, { id, ...window });
      const billSamples: number[] = [];
      for (const id of billPoints.slice(BILL_WARMUP)) billSamples.push(await timeOnce(() => ask(BILL, { id, ...window })));

      const variables = { ...window, schemeIds: SCHEMES };
      const compareMs = await medianOf(() => ask<CompareData>(COMPARE, variables), { warmup: COMPARE_WARMUP, runs: COMPARE_RUNS });
      const holidays = [...new Set([civilDate(lisbonLocalDay(month.fromMs)).year, civilDate(lisbonLocalDay(month.toMs - 1)).year])].flatMap((year) =>
        [...portugueseHolidays(year)].map((day) => new Date(day * DAY_MS).toISOString().slice(0, 10)),
      );
      const floor = () => database.pool.query<{ daily: string; weekly: string; wh: number }>(floorSql(), [window.from, window.to, holidays]);
      const floorMs = await medianOf(floor, { warmup: COMPARE_WARMUP, runs: COMPARE_RUNS });

      // The hub's sums are the floor's, to the Wh.
      const [answer, floorRows] = await Promise.all([ask<CompareData>(COMPARE, variables), floor()]);
      const expected = floorPeriods(floorRows.rows);
      for (const scheme of answer.compareSchemes.schemes) {
        for (const line of scheme.lines) {
          const wh = expected[scheme.scheme.id]!.get(line.period) ?? 0;
          if (Math.abs(line.energyKwh * 1000 - wh) > 0.5) throw new Error(`${scheme.scheme.id} ${line.period}: the hub says ${line.energyKwh} kWh, the floor ${wh / 1000}`);
        }
      }
      // The current tariffs' cost reads each point's readings: of as many points as a month allows.
      const currentPoints = parish.meteringPoints.slice(0, Math.floor(MAX_POINT_DAYS / (lisbonLocalDay(month.toMs) - lisbonLocalDay(month.fromMs)))).map((point) => point.id);
      const currentMs = await timeOnce(() => ask(CURRENT, { ...variables, ids: currentPoints }));

      const billP50Ms = percentile(billSamples, 50);
      return {
        metrics: {
          customers,
          monthQuarterHours: answer.compareSchemes.quarterHours,
          billP50Ms: round(billP50Ms),
          billMaxMs: round(Math.max(...billSamples)),
          compareParishMonthMs: round(compareMs),
          compareFloorMs: round(floorMs),
          compareFloorRatio: round(compareMs / floorMs, 3),
          compareWithCurrentMs: round(currentMs),
          currentPoints: currentPoints.length,
          historyWriteMs: round(historyMs),
        },
        table: [
          { query: `bill of one point, ${window.from.slice(0, 10)} to ${window.to.slice(0, 10)} (p50 of ${BILLS} points)`, ms: round(billP50Ms), target: '< 20' },
          { query: `compareSchemes, the whole network's month, ${SCHEMES.length} schemes (p50)`, ms: round(compareMs), target: `≤ 1.5 × floor = ${round(1.5 * floorMs)}` },
          { query: 'floor: the same sums, one SQL statement on the readings (p50)', ms: round(floorMs), target: '' },
          { query: `compareSchemes of ${currentPoints.length} points with current (their own schemes), once`, ms: round(currentMs), target: '< 5,000 (statement timeout)' },
        ],
      };
    } finally {
      await close();
    }
  },
};
