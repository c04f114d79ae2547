import { QUARTERS_PER_DAY } from '../../subgraphs/kit/calendar';

/** One quarter-hour of a meter export: its local quarter-hour of the day and mean power. */
export interface HouseholdSample {
  /** Local quarter-hour of the day the interval starts in, 0 = 00:00-00:15. */
  slot: number;
  kw: number;
  /** "Real" (measured) rather than "Estimado". */
  measured: boolean;
}

/**
 * The household export (date,time,…,cons_registered_kW,state3,…): times mark the end of each
 * quarter-hour, so 00:15 is slot 0 and the next day's 00:00 closes slot 95.
 */
export function parseHouseholdSeries(text: string): HouseholdSample[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((line) => line.length > 0);
  const header = lines[0].split(',');
  const timeIndex = header.indexOf('time');
  const kwIndex = header.indexOf('cons_registered_kW');
  const stateIndex = header.indexOf('state3');
  if (timeIndex < 0 || kwIndex < 0 || stateIndex < 0) throw new Error(`household series: expected time, cons_registered_kW and state3 columns in "${lines[0]}"`);
  return lines.slice(1).map((line, index) => {
    const fields = line.split(',');
    const [hours, minutes] = fields[timeIndex].split(':').map(Number);
    const kw = Number(fields[kwIndex]);
    if (!Number.isFinite(kw) || !Number.isInteger(hours) || !Number.isInteger(minutes) || minutes % 15 !== 0) {
      throw new Error(`household series line ${index + 2}: cannot read "${line}"`);
    }
    const endSlot = (hours * 60 + minutes) / 15;
    return { slot: (endSlot + QUARTERS_PER_DAY - 1) % QUARTERS_PER_DAY, kw, measured: fields[stateIndex] === 'Real' };
  });
}

/** Mean power per local quarter-hour of the day over the samples `include` keeps. */
export function meanDailyShape(samples: readonly HouseholdSample[], include: (sample: HouseholdSample) => boolean = () => true): Float64Array {
  const sums = new Float64Array(QUARTERS_PER_DAY);
  const counts = new Float64Array(QUARTERS_PER_DAY);
  for (const sample of samples) {
    if (!include(sample)) continue;
    sums[sample.slot] += sample.kw;
    counts[sample.slot]++;
  }
  return sums.map((sum, slot) => sum / counts[slot]);
}
