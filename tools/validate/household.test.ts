import { meanDailyShape, parseHouseholdSeries } from './household';

const TEXT = [
  'date,time,cons_measured_kW,state1,inj_measured_kW,state2,cons_registered_kW,state3,inj_registered_kW,state4',
  '2022/01/01,00:15,0,-,0,-,0.2,Real,0,-',
  '2022/01/01,00:30,0,-,0,-,0.4,Real,0,-',
  '2022/01/02,00:15,0,-,0,-,0.6,Estimado,0,-',
  '2022/01/02,00:00,0,-,0,-,1.5,Real,0,-',
].join('\n');

describe('parseHouseholdSeries', () => {
  it('places end-stamped quarter-hours at their start, midnight closing the day', () => {
    expect(parseHouseholdSeries(TEXT)).toEqual([
      { slot: 0, kw: 0.2, measured: true },
      { slot: 1, kw: 0.4, measured: true },
      { slot: 0, kw: 0.6, measured: false },
      { slot: 95, kw: 1.5, measured: true },
    ]);
  });

  it('refuses a file without the registered consumption column', () => {
    expect(() => parseHouseholdSeries('date,time,kW\n2022/01/01,00:15,1')).toThrow(/cons_registered_kW/);
  });
});

describe('meanDailyShape', () => {
  it('averages each quarter-hour over the samples kept', () => {
    const samples = parseHouseholdSeries(TEXT);
    expect(meanDailyShape(samples)[0]).toBeCloseTo(0.4, 12);
    expect(meanDailyShape(samples, (sample) => sample.measured)[0]).toBeCloseTo(0.2, 12);
    expect(meanDailyShape(samples)[2]).toBeNaN();
  });
});
