import { assembleLvNetwork, NetworkModelError, type NetworkModelRows, type SubstationModelRow } from './network-model.rules';

const SUBSTATION: SubstationModelRow = {
  id: 'PT1',
  name: 'PT 1',
  ratedPowerKva: 400,
  transformerPrimaryKv: 10,
  transformerSecondaryKv: 0.4,
  transformerConnection: 'Dyn',
  transformerResistancePercent: 1.15,
  transformerReactancePercent: 3.83,
  sourceVoltageKv: 10,
  sourceVoltagePu: 1.02,
  sourceIsc3A: 10_000,
  sourceIsc1A: 1_000,
  sourceX1R1: 3,
  sourceX0R0: 3,
  lvBusId: 'PT1-LV',
};

const CODE = { name: 'LSVAV 4x95', r1OhmPerKm: 0.32, x1OhmPerKm: 0.073, r0OhmPerKm: 1.28, x0OhmPerKm: 0.084, ampacityA: 235 };

const rows = (overrides: Partial<NetworkModelRows> = {}): NetworkModelRows => ({
  substation: SUBSTATION,
  buses: [
    { id: 'PT1-LV', x: 0, y: 0 },
    { id: 'PT1-F1-01', x: 30, y: 0 },
  ],
  segments: [{ id: 'PT1-F1-S01', feederId: 'PT1-F1', fromBusId: 'PT1-LV', toBusId: 'PT1-F1-01', lengthM: 30, lineCode: CODE.name }],
  lineCodes: new Map([[CODE.name, CODE]]),
  connections: [
    { meteringPointId: 'MP-1', phase: 'B', busId: 'PT1-F1-01' },
    { meteringPointId: 'MP-2', phase: 'ABC', busId: 'PT1-F1-01' },
  ],
  ...overrides,
});

describe('assembleLvNetwork', () => {
  it('builds the transformer, the MV source and the tree from the rows, named by id', () => {
    const network = assembleLvNetwork(rows());
    expect(network.name).toBe('PT1');
    expect(network.rootBus).toBe('PT1-LV');
    expect(network.transformer).toEqual({ ratedKva: 400, primaryKv: 10, secondaryKv: 0.4, connection: 'Dyn', resistancePercent: 1.15, reactancePercent: 3.83 });
    expect(network.source).toEqual({ voltageKv: 10, voltagePu: 1.02, isc3A: 10_000, isc1A: 1_000, x1r1: 3, x0r0: 3 });
    expect(network.buses).toEqual([
      { name: 'PT1-LV', x: 0, y: 0 },
      { name: 'PT1-F1-01', x: 30, y: 0 },
    ]);
    expect(network.lines).toEqual([{ name: 'PT1-F1-S01', fromBus: 'PT1-LV', toBus: 'PT1-F1-01', lengthM: 30, lineCode: CODE.name, feederId: 'PT1-F1' }]);
    expect(network.lineCodes).toEqual([CODE]);
  });

  it('makes a single-phase point one load and a three-phase point three loads of a third, at 0.95 lagging', () => {
    const { loads } = assembleLvNetwork(rows());
    // 400 V line to line: 230.9 V line to neutral.
    const common = { bus: 'PT1-F1-01', kv: 0.4 / Math.sqrt(3), powerFactor: 0.95, shape: null };
    expect(loads).toEqual([
      { name: 'MP-1', meteringPointId: 'MP-1', phase: 'B', share: 1, ...common },
      { name: 'MP-2', meteringPointId: 'MP-2', phase: 'A', share: 1 / 3, ...common },
      { name: 'MP-2', meteringPointId: 'MP-2', phase: 'B', share: 1 / 3, ...common },
      { name: 'MP-2', meteringPointId: 'MP-2', phase: 'C', share: 1 / 3, ...common },
    ]);
    // A third on each phase adds back to the point's power.
    expect(loads.filter((load) => load.meteringPointId === 'MP-2').reduce((sum, load) => sum + load.share, 0)).toBeCloseTo(1, 12);
  });

  it('refuses a substation without a network model, a point without a bus, or an unknown line code', () => {
    expect(() => assembleLvNetwork(rows({ substation: { ...SUBSTATION, lvBusId: null } }))).toThrow(NetworkModelError);
    expect(() => assembleLvNetwork(rows({ connections: [{ meteringPointId: 'MP-3', phase: 'A', busId: null }] }))).toThrow(/1 connected metering point\(s\) have no bus, e.g. MP-3/);
    expect(() => assembleLvNetwork(rows({ lineCodes: new Map() }))).toThrow(/line code LSVAV 4x95 is not in the catalogue/);
  });
});
