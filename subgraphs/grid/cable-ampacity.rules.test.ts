import { cableAmpacityA, ieeeLineCodeAmpacityA } from './cable-ampacity.rules';

describe('cableAmpacityA', () => {
  it('gives the tabulated figure of a tabulated section', () => {
    expect(cableAmpacityA({ conductor: 'Al', insulation: 'PVC', sectionMm2: 185, laying: 'buried' })).toBe(355);
    expect(cableAmpacityA({ conductor: 'Al', insulation: 'PVC', sectionMm2: 50, laying: 'buried' })).toBe(150);
    expect(cableAmpacityA({ conductor: 'Al', insulation: 'XLPE', sectionMm2: 70, laying: 'air' })).toBe(195);
    expect(cableAmpacityA({ conductor: 'Cu', insulation: 'XLPE', sectionMm2: 240, laying: 'buried' })).toBe(590);
  });

  it('interpolates linearly between tabulated sections', () => {
    // Cu PVC buried: 35 mm² 165 A, 50 mm² 190 A; 40 mm² is a third of the way: 173.3 A.
    expect(cableAmpacityA({ conductor: 'Cu', insulation: 'PVC', sectionMm2: 40, laying: 'buried' })).toBe(173);
  });

  it('knows nothing outside the table', () => {
    expect(cableAmpacityA({ conductor: 'Al', insulation: 'PVC', sectionMm2: 10, laying: 'buried' })).toBeNull();
    expect(cableAmpacityA({ conductor: 'Cu', insulation: 'PVC', sectionMm2: 300, laying: 'buried' })).toBeNull();
  });
});

describe('ieeeLineCodeAmpacityA', () => {
  // The ten codes of the IEEE European LV Test Feeder, with their R1 (Ω/km), worked by hand.
  it.each([
    // 70 mm², 0.446 × 70 = 31 Ω·mm²/km: aluminium, PVC, buried: 195 A.
    ['4c_70', 0.446, 195],
    ['4c_185', 0.166, 355],
    // 0.06 in² = 38.7 mm², 0.469 × 38.7 = 18: copper; 165 + (3.7 / 15) × 25 = 171 A.
    ['4c_.06', 0.469, 171],
    // 0.1 in² = 64.5 mm² copper: 190 + (14.5 / 20) × 55 = 230 A.
    ['4c_.1', 0.274, 230],
    // 0.35 in² = 225.8 mm² copper: 445 + (40.8 / 55) × 70 = 497 A.
    ['4c_.35', 0.089, 497],
    ['2c_16', 1.15, 110],
    // 0.0225 in² = 14.5 mm² copper: 80 + (4.5 / 6) × 30 = 103 A.
    ['2c_.0225', 1.257, 103],
    // 0.007 in² = 4.5 mm² copper: 45 + (0.5 / 2) × 15 = 49 A.
    ['2c_.007', 3.97, 49],
    // Solid aluminium, XLPE (X in the suffix).
    ['35_SAC_XSC', 0.868, 150],
    ['4c_95_SAC_XC', 0.322, 270],
  ])('%s (R1 %f Ω/km): %i A', (name, r1OhmPerKm, ampacity) => {
    expect(ieeeLineCodeAmpacityA({ name, r1OhmPerKm })).toBe(ampacity);
  });

  it('gives null for a name it cannot read or a section beyond the table', () => {
    expect(ieeeLineCodeAmpacityA({ name: 'LSVAV 4x185', r1OhmPerKm: 0.164 })).toBeNull();
    expect(ieeeLineCodeAmpacityA({ name: 'cable_A', r1OhmPerKm: 0.2 })).toBeNull();
    expect(ieeeLineCodeAmpacityA({ name: '4c_630', r1OhmPerKm: 0.047 })).toBeNull();
  });
});
