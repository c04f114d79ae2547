import { Command, InvalidArgumentError } from 'commander';
import { FeederFileError, readIeeeFeeder } from '../subgraphs/grid/ieee-feeder.csv';
import { PHASES } from '../subgraphs/grid/lv-network';
import { CompiledFeeder, PowerFlowDivergedError, PowerFlowSolver, shapeLoadsKw } from '../subgraphs/grid/power-flow.rules';

/**
 * The hub's power flow on a feeder given as IEEE European LV CSV files, from a shell: for
 * operators, and for anyone checking the solver against another one. The JSON form is a contract.
 */

function parseMinute(value: string): number {
  const minute = Number(value);
  if (!Number.isInteger(minute) || minute < 1 || minute > 1440) throw new InvalidArgumentError('expected a whole minute of the day, 1 to 1440');
  return minute;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

function main(): void {
  const program = new Command('powerflow')
    .description('Solves an LV feeder in the IEEE European LV Test Feeder CSV format at one minute of its load shapes')
    .requiredOption('--feeder <folder>', 'folder with Source.csv, Transformer.csv, LineCodes.csv, Lines.csv, Loads.csv, LoadShapes.csv, Buscoords.csv and the profiles')
    .requiredOption('--minute <m>', 'minute of the day, 1..1440, of the load shapes', parseMinute)
    .option('--json', 'print { buses: { <bus>: [vA, vB, vC] }, substation: { pKw, qKvar }, iterations } (V line-to-neutral, LV side)')
    .parse();
  const options = program.opts<{ feeder: string; minute: number; json?: boolean }>();
  let network;
  try {
    network = readIeeeFeeder(options.feeder);
  } catch (error: unknown) {
    if (error instanceof FeederFileError) program.error(`powerflow: ${error.message}`, { exitCode: 2 });
    throw error;
  }
  const feeder = new CompiledFeeder(network);
  const solver = new PowerFlowSolver(feeder);
  let convergence;
  try {
    convergence = solver.solve(shapeLoadsKw(network, options.minute));
  } catch (error: unknown) {
    if (error instanceof PowerFlowDivergedError) program.error(`powerflow: ${error.message}`, { exitCode: 3 });
    throw error;
  }
  const substation = solver.substationPower();
  if (options.json) {
    // Buses in the order of Buscoords.csv, as an operator reads the files.
    const buses: Record<string, number[]> = {};
    for (const bus of network.buses) {
      const index = feeder.busIndex.get(bus.name);
      if (index !== undefined) buses[bus.name] = PHASES.map((_, phase) => solver.voltageMagnitudeV(index, phase));
    }
    process.stdout.write(`${JSON.stringify({ buses, substation, iterations: convergence.iterations })}\n`);
    return;
  }
  console.log(`${network.name}: ${feeder.busCount} buses, ${network.lines.length} segments, ${network.loads.length} loads; minute ${options.minute}`);
  console.log(`converged in ${convergence.iterations} iterations (largest voltage change ${convergence.mismatchV.toExponential(1)} V)`);
  for (const [phase, name] of PHASES.entries()) {
    let low = 0;
    let high = 0;
    for (let b = 1; b < feeder.busCount; b++) {
      if (solver.voltageMagnitudeV(b, phase) < solver.voltageMagnitudeV(low, phase)) low = b;
      if (solver.voltageMagnitudeV(b, phase) > solver.voltageMagnitudeV(high, phase)) high = b;
    }
    const pu = (bus: number) => round(solver.voltageMagnitudeV(bus, phase) / feeder.baseVoltageV, 4);
    console.log(
      `phase ${name}: ${round(substation.pKw[phase], 3)} kW ${round(substation.qKvar[phase], 3)} kvar; ` +
        `lowest ${round(solver.voltageMagnitudeV(low, phase), 3)} V (${pu(low)} pu) at bus ${feeder.busNames[low]}, ` +
        `highest ${round(solver.voltageMagnitudeV(high, phase), 3)} V (${pu(high)} pu) at bus ${feeder.busNames[high]}`,
    );
  }
  console.log(`transformer loading ${round(solver.transformerLoadingPercent(), 2)} %; losses ${round(solver.lineLossesKw(), 4)} kW in the lines, ${round(solver.transformerLossesKw(), 4)} kW in the transformer`);
}

main();
