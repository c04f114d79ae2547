import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readIeeeFeeder } from '../../subgraphs/grid/ieee-feeder.csv';
import { PHASES } from '../../subgraphs/grid/lv-network';
import { CompiledFeeder, PowerFlowSolver, shapeLoadsKw } from '../../subgraphs/grid/power-flow.rules';
import type { Check } from './check';

/** The IEEE PES European LV Test Feeder (v2 package), relative to the shared data folder. */
export const IEEE_FEEDER_FOLDER = 'ieee-eu-lv-feeder';
const VOLTAGES_FILE = 'published-opendss-minute-1-voltages.csv';
const POWERS_FILE = 'published-opendss-minute-1-powers.csv';
const MINUTE = 1;
const MAX_ERROR_V = 0.01;
/** The published powers have one decimal: the true value lies within half of it. */
const POWER_ROUNDING_KW = 0.05;
const WORST_SHOWN = 5;

/** Rows of a plain comma-separated file as records keyed by its header. */
function readRecords(file: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(file, 'utf8').split(/\r?\n/).filter((line) => line.trim() !== '');
  const names = header.split(',').map((name) => name.trim());
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(names.map((name, i) => [name, (cells[i] ?? '').trim()]));
  });
}

interface NodeError {
  bus: string;
  phase: number;
  oursV: number;
  publishedV: number;
}

/**
 * The hub's solver on the published feeder at minute 1, every LV bus and phase against OpenDSS's
 * published solution, and the transformer's power at both terminals.
 */
export const ieeePowerFlowCheck: Check = {
  name: 'ieee-power-flow',
  description: `the power flow reproduces the published OpenDSS minute-${MINUTE} solution of the IEEE European LV Test Feeder within ${MAX_ERROR_V * 1000} mV`,
  run({ sharedDataDir }) {
    const folder = path.join(sharedDataDir, IEEE_FEEDER_FOLDER);
    const network = readIeeeFeeder(folder);
    const feeder = new CompiledFeeder(network);
    const solver = new PowerFlowSolver(feeder);
    const convergence = solver.solve(shapeLoadsKw(network, MINUTE));

    // OpenDSS prints bus names in capitals; the feeder's files do not.
    const ours = new Map(feeder.busNames.map((name, index) => [name.toUpperCase(), index]));
    const published = readRecords(path.join(folder, VOLTAGES_FILE)).filter((row) => row.Bus.toUpperCase() !== 'SOURCEBUS');
    const publishedBuses = new Set(published.map((row) => row.Bus.toUpperCase()));
    const onlyPublished = [...publishedBuses].filter((bus) => !ours.has(bus));
    const onlyOurs = [...ours.keys()].filter((bus) => !publishedBuses.has(bus));

    const errors: NodeError[] = [];
    for (const row of published) {
      const bus = ours.get(row.Bus.toUpperCase());
      if (bus === undefined) continue;
      for (let n = 1; n <= 3; n++) {
        const phase = Number(row[`Node${n}`]) - 1;
        errors.push({ bus: row.Bus, phase, oursV: solver.voltageMagnitudeV(bus, phase), publishedV: Number(row[`Magnitude${n}`]) });
      }
    }
    const deviations = errors.map((error) => Math.abs(error.oursV - error.publishedV));
    const maxErrorV = Math.max(...deviations);
    const rmsErrorV = Math.sqrt(deviations.reduce((sum, d) => sum + d * d, 0) / deviations.length);
    const allCompared = onlyPublished.length === 0 && onlyOurs.length === 0 && errors.length === 3 * feeder.busCount && deviations.every(Number.isFinite);

    // Terminal 2 is the LV side, its power counted into the transformer: minus what the feeder draws.
    // Terminal 1 is the MV side: the feeder plus the transformer's copper losses.
    const transformerRows = readRecords(path.join(folder, POWERS_FILE)).filter((row) => row.Element.toUpperCase() === 'TRANSFORMER.TR1');
    const terminal = (n: number) => {
      const row = transformerRows.find((candidate) => candidate.Terminal === `${n}`);
      if (!row) throw new Error(`${POWERS_FILE}: no row for Transformer.TR1 terminal ${n}`);
      return { pKw: Number(row['P(kW)']), qKvar: Number(row['Q(kvar)']) };
    };
    const { pKw, qKvar } = solver.substationPower();
    const lvPKw = pKw[0] + pKw[1] + pKw[2];
    const lvQKvar = qKvar[0] + qKvar[1] + qKvar[2];
    const mvPKw = lvPKw + solver.transformerLossesKw();
    const powerChecks = [
      { label: 'LV P', oursKw: lvPKw, publishedKw: -terminal(2).pKw },
      { label: 'LV Q', oursKw: lvQKvar, publishedKw: -terminal(2).qKvar },
      { label: 'MV P', oursKw: mvPKw, publishedKw: terminal(1).pKw },
    ];
    const powersMatch = powerChecks.every((check) => Math.abs(check.oursKw - check.publishedKw) <= POWER_ROUNDING_KW + 1e-9);

    const worst = errors
      .map((error, i) => ({ ...error, deviation: deviations[i] }))
      .sort((a, b) => b.deviation - a.deviation)
      .slice(0, WORST_SHOWN);
    const millivolts = (volts: number) => `${(volts * 1000).toFixed(3)} mV`;
    return {
      pass: allCompared && maxErrorV <= MAX_ERROR_V && powersMatch,
      figure:
        `max |ΔV| ${millivolts(maxErrorV)}, rms ${millivolts(rmsErrorV)} (max ${MAX_ERROR_V * 1000} mV) over ${errors.length} bus-phases ` +
        `(${publishedBuses.size} published LV buses, ${feeder.busCount} solved); transformer ${powerChecks
          .map((check) => `${check.label} ${check.oursKw.toFixed(3)} vs ${check.publishedKw}`)
          .join(', ')} (±${POWER_ROUNDING_KW}); ${convergence.iterations} iterations`,
      details: [
        ...worst.map((node) => `bus ${node.bus} phase ${PHASES[node.phase]}: ${node.oursV.toFixed(4)} V, published ${node.publishedV} V, ΔV ${millivolts(node.oursV - node.publishedV)}`),
        ...(onlyPublished.length > 0 ? [`published but not in the feeder: ${onlyPublished.slice(0, 10).join(', ')}${onlyPublished.length > 10 ? ' …' : ''}`] : []),
        ...(onlyOurs.length > 0 ? [`in the feeder but not published: ${onlyOurs.slice(0, 10).join(', ')}${onlyOurs.length > 10 ? ' …' : ''}`] : []),
      ],
    };
  },
};
