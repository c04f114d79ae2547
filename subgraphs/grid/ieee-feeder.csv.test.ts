import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FeederFileError, readIeeeFeeder } from './ieee-feeder.csv';

const FIXTURE = path.resolve(__dirname, '../../tools/testing/fixtures/two-bus-feeder');

describe('readIeeeFeeder', () => {
  it('reads the two-bus fixture: source, transformer, one segment, one load and its shape', () => {
    const network = readIeeeFeeder(FIXTURE);
    expect(network.name).toBe('two-bus-feeder');
    expect(network.source).toEqual({ voltageKv: 11, voltagePu: 1, isc3A: 1e12, isc1A: 1e12, x1r1: 4, x0r0: 3 });
    expect(network.transformer).toEqual({ ratedKva: 100, primaryKv: 11, secondaryKv: 0.4, connection: 'Dyn', resistancePercent: 0, reactancePercent: 0 });
    expect(network.rootBus).toBe('1');
    expect(network.buses).toEqual([{ name: '1', x: 0, y: 0 }, { name: '2', x: 100, y: 0 }]);
    expect(network.lineCodes).toEqual([{ name: 'test_1ohm', r1OhmPerKm: 1, x1OhmPerKm: 0, r0OhmPerKm: 1, x0OhmPerKm: 0, ampacityA: null }]);
    expect(network.lines).toEqual([{ name: 'LINE1', fromBus: '1', toBus: '2', lengthM: 100, lineCode: 'test_1ohm', feederId: 'two-bus-feeder' }]);
    expect(network.loads).toEqual([{ name: 'LOAD1', bus: '2', phase: 'A', kv: 0.23, powerFactor: 1, shape: 'Shape_1', meteringPointId: null, share: 1 }]);
    const shape = network.shapes.get('Shape_1')!;
    expect(shape).toHaveLength(1440);
    expect([shape[0], shape[719], shape[1439]]).toEqual([2, 10, 0]);
  });

  describe('names the file, line and field of a defect', () => {
    let folder: string;
    beforeEach(() => {
      folder = path.join(mkdtempSync(path.join(tmpdir(), 'ieee-feeder-')), 'feeder');
      cpSync(FIXTURE, folder, { recursive: true });
    });
    afterEach(() => rmSync(path.dirname(folder), { recursive: true, force: true }));

    /** Rewrites one line of a fixture file (1-based, as the messages count). */
    const editLine = (file: string, line: number, text: string) => {
      const full = path.join(folder, file);
      const lines = readFileSync(full, 'utf8').split('\n');
      lines[line - 1] = text;
      writeFileSync(full, lines.join('\n'));
    };
    const append = (file: string, text: string) => writeFileSync(path.join(folder, file), `${readFileSync(path.join(folder, file), 'utf8')}${text}\n`);
    /** The FeederFileError reading the folder throws: its file, line and field, and the message that names them. */
    const failure = (): FeederFileError => {
      try {
        readIeeeFeeder(folder);
      } catch (error: unknown) {
        if (error instanceof FeederFileError) return error;
        throw error;
      }
      throw new Error('the feeder was accepted');
    };

    it('a value that is not a number', () => {
      editLine('Lines.csv', 3, 'LINE1,1,2,ABC,ten,m,test_1ohm');
      expect(failure()).toMatchObject({ file: 'Lines.csv', line: 3, field: 'Length', message: 'Lines.csv, line 3, field Length: expected a positive number, got "ten"' });
    });

    it('a line code that LineCodes.csv does not define', () => {
      editLine('Lines.csv', 3, 'LINE1,1,2,ABC,100,m,4c_95');
      expect(failure()).toMatchObject({ file: 'Lines.csv', line: 3, field: 'LineCode', message: 'Lines.csv, line 3, field LineCode: unknown line code "4c_95" (not in LineCodes.csv)' });
    });

    it('a column missing from the header', () => {
      editLine('LineCodes.csv', 2, 'Name,nphases,R1,X1,X0,C1,C0,Units');
      expect(failure()).toMatchObject({ file: 'LineCodes.csv', line: 2, field: 'R0', message: 'LineCodes.csv, line 2, field R0: missing column in the header' });
    });

    it('a value missing from a row', () => {
      editLine('Loads.csv', 3, 'LOAD1,1,2,A,0.23,1,wye,1,1');
      expect(failure()).toMatchObject({ file: 'Loads.csv', line: 3, field: 'Yearly', message: 'Loads.csv, line 3, field Yearly: missing value' });
    });

    it('a bus fed twice: not radial', () => {
      append('Lines.csv', 'LINE2,1,2,ABC,50,m,test_1ohm');
      expect(failure()).toMatchObject({ file: 'Lines.csv', line: 4, field: 'Bus2', message: 'Lines.csv, line 4, field Bus2: bus "2" is fed twice: the feeder must be radial' });
    });

    it('a ring of segments cut off from the transformer', () => {
      append('Buscoords.csv', '3,0,10');
      append('Buscoords.csv', '4,0,20');
      append('Lines.csv', 'LINE2,3,4,ABC,10,m,test_1ohm');
      append('Lines.csv', 'LINE3,4,3,ABC,10,m,test_1ohm');
      expect(failure()).toMatchObject({ file: 'Lines.csv', line: 4, field: 'Bus1', message: 'Lines.csv, line 4, field Bus1: bus "3" is not reached from the transformer\'s bus "1": the segments form a loop' });
    });

    it('a bus that is not in Buscoords.csv', () => {
      editLine('Loads.csv', 3, 'LOAD1,1,9,A,0.23,1,wye,1,1,Shape_1');
      expect(failure()).toMatchObject({ file: 'Loads.csv', line: 3, field: 'Bus', message: 'Loads.csv, line 3, field Bus: bus "9" is not in Buscoords.csv' });
      editLine('Loads.csv', 3, 'LOAD1,1,2,A,0.23,1,wye,1,1,Shape_1');
      editLine('Lines.csv', 3, 'LINE1,1,7,ABC,100,m,test_1ohm');
      expect(failure()).toMatchObject({ file: 'Lines.csv', line: 3, field: 'Bus2', message: 'Lines.csv, line 3, field Bus2: bus "7" is not in Buscoords.csv' });
    });

    it('a missing file', () => {
      unlinkSync(path.join(folder, 'Loads.csv'));
      expect(failure()).toMatchObject({ file: 'Loads.csv', line: null, field: null, message: 'Loads.csv: file not found' });
    });

    it('a missing folder', () => {
      rmSync(folder, { recursive: true });
      expect(failure().message).toBe(`${folder}: folder not found`);
    });

    it('a load shape whose npts is not a one-minute day', () => {
      editLine('LoadShapes.csv', 3, 'Shape_1,96,15,Load_profile_1.csv,TRUE');
      expect(failure()).toMatchObject({ file: 'LoadShapes.csv', line: 3, field: 'npts', message: 'LoadShapes.csv, line 3, field npts: expected 1440 one-minute points, got 96' });
    });

    it('a profile with fewer rows than its npts', () => {
      editLine('load-profiles/Load_profile_1.csv', 1441, '');
      expect(failure().message).toBe(`${path.join('load-profiles', 'Load_profile_1.csv')}: expected 1440 rows, found 1439`);
    });

    it('a source value in the wrong unit', () => {
      editLine('Source.csv', 5, 'ISC3=3 kA');
      expect(failure()).toMatchObject({ file: 'Source.csv', line: 5, field: 'ISC3', message: 'Source.csv, line 5, field ISC3: expected A, got "kA"' });
    });

    it('a transformer connection the solver does not model', () => {
      editLine('Transformer.csv', 3, 'TR1,3,SourceBus,1,11,0.4,0.1, Wye, Wye,0,0');
      expect(failure()).toMatchObject({ file: 'Transformer.csv', line: 3, field: 'Conn_pri', message: 'Transformer.csv, line 3, field Conn_pri: only a Delta primary is supported, got "Wye"' });
    });
  });
});
