import path from 'node:path';
import { readIeeeFeeder } from '../../subgraphs/grid/ieee-feeder.csv';
import { loadLvNetworks } from '../../subgraphs/grid/network-model.repo';
import { openBenchDatabase } from '../bench/bench-database';
import { importFeeder, networkDifferences } from '../grid-import/feeder-import';
import type { Check } from './check';
import { IEEE_FEEDER_FOLDER } from './ieee-power-flow.check';

/** The published feeder's size (../shared/data/README.md). */
const EXPECTED = { buses: 906, lineSegments: 905, meteringPoints: 55 };
const SECONDARY_SUBSTATION_ID = 'IEEE-EU-LV';

/**
 * The IEEE European LV Test Feeder imported by the code path of `npm run grid:import` into a
 * scratch database, then read back as the power flow reads it: the counts must be the published
 * feeder's, and the network the same as the one read from the files.
 */
export const ieeeImportCheck: Check = {
  name: 'ieee-import',
  description: 'the IEEE European LV feeder imported as grid:import does and read back as the power flow does is the feeder of the files (906 buses, 905 segments, 55 loads)',
  async run({ sharedDataDir }) {
    const source = readIeeeFeeder(path.join(sharedDataDir, IEEE_FEEDER_FOLDER));
    const bench = await openBenchDatabase();
    try {
      const summary = await importFeeder(bench.handle.db, source, {
        secondarySubstationId: SECONDARY_SUBSTATION_ID,
        name: 'IEEE European LV Test Feeder',
        primarySubstationId: 'SE-IEEE',
        latitude: 0,
        longitude: 0,
        retailerId: 'unassigned',
        now: new Date(),
      });
      const started = performance.now();
      const network = (await loadLvNetworks(bench.handle.db, [SECONDARY_SUBSTATION_ID])).get(SECONDARY_SUBSTATION_ID);
      const loadMs = performance.now() - started;
      const differences = network ? networkDifferences(network, source, SECONDARY_SUBSTATION_ID) : ['not read back'];
      const rated = network?.lineCodes.filter((code) => code.ampacityA !== null).length ?? 0;
      const pass =
        summary.buses === EXPECTED.buses &&
        summary.lineSegments === EXPECTED.lineSegments &&
        summary.meteringPoints === EXPECTED.meteringPoints &&
        network?.loads.length === EXPECTED.meteringPoints &&
        differences.length === 0;
      return {
        pass,
        figure:
          `imported ${summary.buses}/${EXPECTED.buses} buses, ${summary.lineSegments}/${EXPECTED.lineSegments} segments, ` +
          `${summary.meteringPoints}/${EXPECTED.meteringPoints} metering points; read back ${network?.loads.length ?? 0} loads, ` +
          `${differences.length} differences from the files; ${rated} of ${summary.lineCodes} line codes with an ampacity`,
        details: [
          ...differences,
          ...(network?.lineCodes.map((code) => `${code.name}: R1 ${code.r1OhmPerKm} Ω/km, ampacity ${code.ampacityA ?? 'unknown'} A`) ?? []),
          `loadLvNetworks: ${loadMs.toFixed(0)} ms`,
        ],
      };
    } finally {
      await bench.close();
    }
  },
};
