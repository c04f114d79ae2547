import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DemandScopeKind } from '../../subgraphs/metering/demand.rules';
import { qualityCode, type ReadingQualityName } from '../../subgraphs/metering/reading.rules';
import { openBenchDatabase } from '../bench/bench-database';
import { ingestReadingsFile } from '../ingest/ingest-file';
import { lisbonWallToUtcMs, QUARTER_MS } from '../../subgraphs/kit/calendar';
import { HOUSEHOLD_SERIES_FILE } from '../profiles/shared-data';
import { generateParish } from '../seed/parish';
import { writeParish } from '../seed/write';
import type { Check } from './check';

/** Mean kW over a quarter-hour to Wh: × 0.25 h × 1000. */
const WH_PER_KW_QUARTER = 250;
/** The meter registers whole Wh, so kW × 250 must come out whole but for floating-point noise. */
const WHOLE_WH_TOLERANCE = 1e-6;
const QUALITY_OF_STATE: Record<string, ReadingQualityName> = { Real: 'MEASURED', Estimado: 'ESTIMATED' };

interface HouseholdReading {
  intervalStartMs: number;
  importWh: number;
  quality: ReadingQualityName;
}

/**
 * The export's rows as readings. `date` (YYYY/MM/DD) and `time` (HH:MM, Lisbon) stamp the END of
 * each quarter-hour: a day's first row is 00:15 and the next day's 00:00 closes it (the file runs
 * 2022/01/01 00:15 to 2022/02/01 00:00). `cons_registered_kW` is the mean power over the interval.
 */
function householdReadings(text: string): HouseholdReading[] {
  const [header = '', ...lines] = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((line) => line.length > 0);
  const columns = header.split(',');
  const [date, time, kw, state] = ['date', 'time', 'cons_registered_kW', 'state3'].map((name) => columns.indexOf(name)) as [number, number, number, number];
  if (Math.min(date, time, kw, state) < 0) throw new Error(`household series: expected date, time, cons_registered_kW and state3 columns in "${header}"`);
  return lines.map((line, i) => {
    const fields = line.split(',');
    const [year, month, day] = fields[date]!.split('/').map(Number) as [number, number, number];
    const [hours, minutes] = fields[time]!.split(':').map(Number) as [number, number];
    const wh = Number(fields[kw]) * WH_PER_KW_QUARTER;
    const quality = QUALITY_OF_STATE[fields[state]!];
    const endMs = lisbonWallToUtcMs(Date.UTC(year, month - 1, day, hours, minutes));
    if (!Number.isFinite(endMs) || Math.abs(wh - Math.round(wh)) > WHOLE_WH_TOLERANCE || !quality) {
      throw new Error(`household series line ${i + 2}: cannot read "${line}" as a quarter-hour of whole Wh, Real or Estimado`);
    }
    return { intervalStartMs: endMs - QUARTER_MS, importWh: Math.round(wh), quality };
  });
}

const kwh = (wh: number) => `${(wh / 1000).toFixed(3)} kWh`;

/**
 * The real household series converted to the bulk ingest format and loaded by the code path of
 * `npm run ingest` into a scratch database holding a one-point parish: the energy and the counts
 * of measured and estimated quarter-hours stored (and the network rollup) must equal the file's.
 */
export const householdIngestCheck: Check = {
  name: 'household-ingest',
  description: 'the real household series (January 2022) loaded by the bulk ingest keeps its energy and its measured/estimated counts',
  async run({ sharedDataDir }) {
    const readings = householdReadings(await readFile(path.join(sharedDataDir, HOUSEHOLD_SERIES_FILE), 'utf8'));
    const fileWh = readings.reduce((sum, reading) => sum + reading.importWh, 0);
    const fileMeasured = readings.filter((reading) => reading.quality === 'MEASURED').length;
    const fileEstimated = readings.length - fileMeasured;
    const consecutive = readings.every((reading, i) => i === 0 || reading.intervalStartMs - readings[i - 1]!.intervalStartMs === QUARTER_MS);

    const bench = await openBenchDatabase();
    const dir = await mkdtemp(path.join(tmpdir(), 'household-ingest-'));
    try {
      const parish = generateParish({ customers: 1 });
      await writeParish(bench.handle, parish);
      const pointId = parish.meteringPoints[0]!.id;
      const csv = path.join(dir, 'household.csv');
      const body = readings.map((r) => `${pointId},${new Date(r.intervalStartMs).toISOString()},${r.importWh},0,${r.quality}`);
      await writeFile(csv, `metering_point_id,interval_start,import_wh,export_wh,quality\n${body.join('\n')}\n`);
      const summary = await ingestReadingsFile(bench.handle, csv);

      const { rows } = await bench.handle.pool.query<{ wh: string; measured: number; estimated: number; network_wh: string }>(
        `SELECT coalesce(sum(r.import_wh), 0) AS wh,
           count(*) FILTER (WHERE r.quality = $2)::int AS measured, count(*) FILTER (WHERE r.quality = $3)::int AS estimated,
           (SELECT coalesce(sum(import_wh), 0) FROM metering.demand_rollups WHERE scope_kind = $4 AND scope_id = '') AS network_wh
         FROM metering.readings r JOIN metering.metering_points mp ON mp.key = r.metering_point_key WHERE mp.id = $1`,
        [pointId, qualityCode('MEASURED'), qualityCode('ESTIMATED'), DemandScopeKind.Network],
      );
      const stored = rows[0]!;
      const storedWh = Number(stored.wh);
      const pass =
        summary.rejected === 0 &&
        storedWh === fileWh &&
        Number(stored.network_wh) === fileWh &&
        stored.measured === fileMeasured &&
        stored.estimated === fileEstimated;
      const first = new Date(readings[0]!.intervalStartMs).toISOString();
      const last = new Date(readings.at(-1)!.intervalStartMs).toISOString();
      return {
        pass,
        figure:
          `file ${kwh(fileWh)} over ${readings.length} quarter-hours (${fileMeasured} measured, ${fileEstimated} estimated); ` +
          `stored ${kwh(storedWh)} (${stored.measured} measured, ${stored.estimated} estimated), network rollup ${kwh(Number(stored.network_wh))}; ` +
          `${summary.rejected} rejected`,
        details: [
          `intervals ${first} … ${last} (end-stamped times moved to interval starts; ${consecutive ? 'consecutive' : 'NOT consecutive'})`,
          `bulk ingest: ${summary.inserted} inserted, ${summary.revised} revised, ${summary.unchanged} unchanged in ${summary.seconds.toFixed(2)} s`,
        ],
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
      await bench.close();
    }
  },
};
