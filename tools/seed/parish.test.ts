import { generateParish, type Parish } from './parish';

const DEMO_CUSTOMERS = 14_000;

const lisbonHourMinute = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Lisbon', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const minutesOfDayInLisbon = (instant: Date): number => {
  const [hour, minute] = lisbonHourMinute.format(instant).split(':').map(Number);
  return (hour ?? 0) * 60 + (minute ?? 0);
};

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

describe('generateParish', () => {
  let demo: Parish;

  beforeAll(() => {
    demo = generateParish({ customers: DEMO_CUSTOMERS });
  });

  describe('determinism', () => {
    it('gives byte-identical parishes for the same options', () => {
      const again = generateParish({ customers: DEMO_CUSTOMERS });
      expect(JSON.stringify(again)).toBe(JSON.stringify(demo));
    });

    it('gives a different parish for a different seed', () => {
      const other = generateParish({ customers: DEMO_CUSTOMERS, seed: 42 });
      expect(other.meteringPoints.map((p) => p.id)).not.toEqual(demo.meteringPoints.map((p) => p.id));
      expect(JSON.stringify(other)).not.toBe(JSON.stringify(demo));
    });


    it('rejects a customer count that is not a positive integer', () => {
      expect(() => generateParish({ customers: 0 })).toThrow(RangeError);
      expect(() => generateParish({ customers: 2.5 })).toThrow(RangeError);
    });
  });

  describe('at demo scale', () => {
    it('creates one metering point per customer, with unique CPE ids', () => {
      expect(demo.meteringPoints).toHaveLength(DEMO_CUSTOMERS);
      expect(new Set(demo.meteringPoints.map((p) => p.id)).size).toBe(DEMO_CUSTOMERS);
      expect(demo.meteringPoints.filter((p) => !/^PT0002\d{12}[A-Z]{2}$/.test(p.id))).toEqual([]);
    });

    it('hangs at least 200 secondary substations with 2 to 6 feeders each off exactly 2 primaries', () => {
      expect(demo.primarySubstations).toHaveLength(2);
      expect(demo.secondarySubstations.length).toBeGreaterThanOrEqual(200);
      const primaries = new Set(demo.primarySubstations.map((p) => p.id));
      expect(new Set(demo.secondarySubstations.map((s) => s.primarySubstationId))).toEqual(primaries);
      const feeders = countBy(demo.feeders, (f) => f.secondarySubstationId);
      for (const s of demo.secondarySubstations) {
        expect([250, 400, 630]).toContain(s.ratedPowerKva);
        expect(s.name).toMatch(/^PT \d{4} /);
        expect(feeders.get(s.id)).toBeGreaterThanOrEqual(2);
        expect(feeders.get(s.id)).toBeLessThanOrEqual(6);
      }
    });

    it('registers the DSO, 4 retailers and one organisation of every other role', () => {
      const kinds = countBy(demo.organisations, (o) => o.kind);
      expect(Object.fromEntries(kinds)).toEqual({ dso: 1, retailer: 4, aggregator: 1, regulator: 1, tso: 1, researcher: 1, developer: 1 });
      expect(demo.organisations.find((o) => o.kind === 'dso')).toEqual({ id: 'dso', name: 'E-REDES (DSO)', kind: 'dso' });
    });

    it('spreads the points unevenly over the 4 retailers, the biggest supplying over 40 %', () => {
      const retailers = demo.organisations.filter((o) => o.kind === 'retailer').map((o) => o.id);
      const shares = countBy(demo.meteringPoints, (p) => p.retailerId);
      expect([...shares.keys()].sort()).toEqual([...retailers].sort());
      const sorted = [...shares.values()].sort((a, b) => b - a);
      expect(sorted[0]).toBeGreaterThan(0.4 * DEMO_CUSTOMERS);
      expect(sorted[3]).toBeGreaterThan(0.08 * DEMO_CUSTOMERS);
    });

    it('has 16 EV charging stations, each on its own EV_CHARGING metering point', () => {
      expect(demo.evChargingStations).toHaveLength(16);
      const points = new Map(demo.meteringPoints.map((p) => [p.id, p]));
      for (const station of demo.evChargingStations) {
        const point = points.get(station.meteringPointId);
        expect(point?.usage).toBe('EV_CHARGING');
        expect([22, 50]).toContain(station.maxPowerKw);
        expect(point?.contractedPowerKva).toBe(station.maxPowerKw === 22 ? 41.4 : 50);
      }
      expect(demo.meteringPoints.filter((p) => p.usage === 'EV_CHARGING')).toHaveLength(16);
    });

    it('classes points as E-REDES does: BTN_A above 13.8 kVA, else BTN_B above 7,140 kWh a year, else BTN_C', () => {
      const classOf = (kva: number, kwh: number): string => (kva > 13.8 ? 'BTN_A' : kwh > 7_140 ? 'BTN_B' : 'BTN_C');
      expect(demo.meteringPoints.filter((p) => p.customerClass !== classOf(p.contractedPowerKva, p.annualConsumptionKwh))).toEqual([]);
      expect(new Set(demo.meteringPoints.map((p) => p.customerClass))).toEqual(new Set(['BTN_A', 'BTN_B', 'BTN_C']));
    });

    it('gives every metering point a distinct compact key', () => {
      expect(new Set(demo.meteringPoints.map((p) => p.key)).size).toBe(demo.meteringPoints.length);
    });

    it('is mostly residential, with some commercial points and a few street lights', () => {
      const usage = countBy(demo.meteringPoints, (p) => p.usage);
      expect((usage.get('RESIDENTIAL') ?? 0) / DEMO_CUSTOMERS).toBeCloseTo(0.88, 1);
      expect((usage.get('COMMERCIAL') ?? 0) / DEMO_CUSTOMERS).toBeCloseTo(0.11, 1);
      expect(usage.get('PUBLIC_LIGHTING')).toBeGreaterThan(0);
    });

    it('makes 5 to 12 % of the points PV prosumers of 1.5 to 6 kWp', () => {
      const prosumers = demo.meteringPoints.filter((p) => p.pvCapacityKwp > 0);
      expect(prosumers.length / DEMO_CUSTOMERS).toBeGreaterThanOrEqual(0.05);
      expect(prosumers.length / DEMO_CUSTOMERS).toBeLessThanOrEqual(0.12);
      expect(prosumers.filter((p) => p.pvCapacityKwp < 1.5 || p.pvCapacityKwp > 6)).toEqual([]);
    });

    it('gives every metering point exactly one open supply contract, with its current retailer', () => {
      const open = new Map<string, string[]>();
      for (const c of demo.supplyContracts) {
        if (c.validTo === null) open.set(c.meteringPointId, [...(open.get(c.meteringPointId) ?? []), c.retailerId]);
      }
      expect(demo.meteringPoints.filter((p) => open.get(p.id)?.join() !== p.retailerId)).toEqual([]);
    });

    it('closes a switched contract the instant its successor with another retailer starts', () => {
      const byPoint = new Map<string, typeof demo.supplyContracts>();
      for (const c of demo.supplyContracts) byPoint.set(c.meteringPointId, [...(byPoint.get(c.meteringPointId) ?? []), c]);
      const switched = [...byPoint.values()].filter((contracts) => contracts.length > 1);
      expect(switched.length / DEMO_CUSTOMERS).toBeGreaterThan(0.03);
      expect(switched.length / DEMO_CUSTOMERS).toBeLessThan(0.07);
      for (const [closed, current] of switched) {
        expect(closed?.validTo).toEqual(current?.validFrom);
        expect(closed?.retailerId).not.toBe(current?.retailerId);
      }
    });

    it('connects every metering point exactly once, to a known feeder', () => {
      const feeders = new Set(demo.feeders.map((f) => f.id));
      const connected = countBy(demo.connections, (c) => c.meteringPointId);
      expect(demo.meteringPoints.filter((p) => connected.get(p.id) !== 1)).toEqual([]);
      expect(demo.connections).toHaveLength(DEMO_CUSTOMERS);
      expect(demo.connections.filter((c) => !feeders.has(c.feederId))).toEqual([]);
    });

    it('puts customers up to 13.8 kVA on one phase and larger ones on all three, balanced within 10 %', () => {
      const points = new Map(demo.meteringPoints.map((p) => [p.id, p]));
      const expectedPhase = (kva: number, phase: string): boolean => (kva <= 13.8 ? ['A', 'B', 'C'].includes(phase) : phase === 'ABC');
      expect(demo.connections.filter((c) => !expectedPhase(points.get(c.meteringPointId)?.contractedPowerKva ?? 0, c.phase))).toEqual([]);
      const phases = countBy(demo.connections, (c) => c.phase);
      const single = ['A', 'B', 'C'].map((phase) => phases.get(phase) ?? 0);
      expect(Math.max(...single) / Math.min(...single)).toBeLessThan(1.1);
    });

    it('assigns every metering point exactly one known tariff scheme, mostly flat or two-rate', () => {
      const schemes = new Map(demo.tariffSchemes.map((s) => [s.id, s]));
      const current = demo.tariffAssignments.filter((a) => a.validTo === null);
      const assigned = countBy(current, (a) => a.meteringPointId);
      expect(demo.meteringPoints.filter((p) => assigned.get(p.id) !== 1)).toEqual([]);
      const kinds = countBy(current, (a) => schemes.get(a.schemeId)?.kind ?? 'unknown');
      expect(kinds.has('unknown')).toBe(false);
      const twoRate = current.filter((a) => a.schemeId.startsWith('TP-BI-')).length;
      expect(((kinds.get('FLAT') ?? 0) + twoRate) / DEMO_CUSTOMERS).toBeGreaterThan(0.8);
    });

    it('moves about 1.5 % of households to the pilot critical-peak scheme on 1 October 2026, both acceptances recorded and their previous scheme closed then', () => {
      const start = new Date('2026-09-30T23:00:00Z');
      const residential = demo.meteringPoints.filter((p) => p.usage === 'RESIDENTIAL').length;
      expect(demo.pilotEnrolments.length / residential).toBeGreaterThan(0.01);
      expect(demo.pilotEnrolments.length / residential).toBeLessThan(0.02);
      for (const enrolment of demo.pilotEnrolments) {
        expect(enrolment.startsAt).toEqual(start);
        expect(enrolment.customerAcceptedAt!.getTime()).toBeLessThan(start.getTime());
        expect(enrolment.retailerAcceptedAt!.getTime()).toBeLessThan(start.getTime());
        const history = demo.tariffAssignments.filter((a) => a.meteringPointId === enrolment.meteringPointId);
        expect(history.map((a) => [a.schemeId === 'TP-PILOTO-PC', a.validTo?.getTime() ?? null])).toEqual([
          [false, start.getTime()],
          [true, null],
        ]);
      }
    });

    it('prices the 5 tariff schemes by ERSE period, in nano-euros', () => {
      const periodsOf = (id: string) => demo.tariffSchemePrices.filter((p) => p.schemeId === id).map((p) => p.period);
      const periods = Object.fromEntries(demo.tariffSchemes.map((s) => [`${s.kind}/${s.cycle}`, periodsOf(s.id)]));
      expect(periods).toEqual({
        'FLAT/null': ['all'],
        'TIME_OF_USE/DAILY': ['fora_vazio', 'vazio'],
        'TIME_OF_USE/WEEKLY': ['ponta', 'cheias', 'vazio_normal', 'super_vazio'],
        'CRITICAL_PEAK/DAILY': ['ponta', 'cheias', 'vazio', 'critical_peak'],
      });
      expect(demo.tariffSchemes.map((s) => s.id)).toEqual(['TP-SIMPLES', 'TP-BI-DIARIO', 'TP-BI-SEMANAL', 'TP-TRI-SEMANAL', 'TP-PILOTO-PC']);
      for (const price of demo.tariffSchemePrices) {
        expect(price.energyPriceNanoEurPerKwh).toBeGreaterThan(0.05e9);
        expect(price.energyPriceNanoEurPerKwh).toBeLessThan(price.period === 'critical_peak' ? 0.7e9 : 0.31e9);
      }
    });

    it('equips about 6 % of residential points with a HEMS of 2 to 5 devices, PV inverters only at prosumers', () => {
      const points = new Map(demo.meteringPoints.map((p) => [p.id, p]));
      const residential = demo.meteringPoints.filter((p) => p.usage === 'RESIDENTIAL').length;
      expect(demo.hemsSystems.length / residential).toBeGreaterThan(0.04);
      expect(demo.hemsSystems.length / residential).toBeLessThan(0.08);
      const devices = new Map<string, typeof demo.hemsDevices>();
      for (const d of demo.hemsDevices) devices.set(d.hemsId, [...(devices.get(d.hemsId) ?? []), d]);
      for (const hems of demo.hemsSystems) {
        const point = points.get(hems.meteringPointId);
        expect(point?.usage).toBe('RESIDENTIAL');
        const own = devices.get(hems.id) ?? [];
        expect(own.length).toBeGreaterThanOrEqual(2);
        // A congested-feeder household's HEMS gained its wallbox: one more.
        expect(own.length).toBeLessThanOrEqual(6);
        expect(own.some((d) => d.kind === 'PV_INVERTER')).toBe((point?.pvCapacityKwp ?? 0) > 0);
      }
      expect(demo.hemsDevices.filter((d) => d.controllable).length / demo.hemsDevices.length).toBeGreaterThan(0.7);
    });

    it("charges every HEMS household's car in its load curve, at the wallbox's power, in the evening", () => {
      const chargers = demo.hemsDevices.filter((d) => d.kind === 'EV_CHARGER');
      expect(chargers.length).toBeGreaterThan(20);
      const pointOf = new Map(demo.hemsSystems.map((h) => [h.id, h.meteringPointId]));
      for (const device of chargers) {
        const session = demo.homeChargers.get(pointOf.get(device.hemsId)!);
        expect(session?.powerKw).toBe(device.ratedPowerKw);
        expect(session!.startMinute).toBeGreaterThanOrEqual(18 * 60 + 30);
        expect(session!.startMinute + session!.durationMinutes).toBeLessThanOrEqual(24 * 60);
      }
      // Every car charged at home is either the congested feeder's or a HEMS household's own.
      const congested = new Set(demo.congestion!.homeChargers.map((c) => c.meteringPointId));
      const withHemsCharger = new Set(chargers.map((d) => pointOf.get(d.hemsId)));
      for (const pointId of demo.homeChargers.keys()) expect(congested.has(pointId) || withHemsCharger.has(pointId)).toBe(true);
    });

    it('gives the controllable evening loads conditions, some opted out, and shares most HEMS with their retailer', () => {
      const deviceOf = new Map(demo.hemsDevices.map((d) => [d.id, d]));
      const loads = demo.flexibleLoads;
      expect(loads.length).toBeGreaterThan(demo.hemsSystems.length);
      for (const load of loads) expect(deviceOf.get(load.deviceId)?.controllable).toBe(true);
      const ev = loads.filter((load) => deviceOf.get(load.deviceId)?.kind === 'EV_CHARGER');
      expect(ev.every((load) => load.earliestStartMinute === 18 * 60 && load.latestEndMinute === 7 * 60 && load.priority === 1)).toBe(true);
      const heaters = loads.filter((load) => deviceOf.get(load.deviceId)?.kind === 'WATER_HEATER');
      expect(heaters.length).toBeGreaterThan(10);
      const optedOut = loads.filter((load) => load.optedOut).length / loads.length;
      expect(optedOut).toBeGreaterThan(0.05);
      expect(optedOut).toBeLessThan(0.25);
      const retailerOf = new Map(demo.meteringPoints.map((p) => [p.id, p.retailerId]));
      const shared = demo.hemsSharing.length / demo.hemsSystems.length;
      expect(shared).toBeGreaterThan(0.75);
      expect(shared).toBeLessThan(0.95);
      for (const consent of demo.hemsSharing) {
        expect(consent.organisationId).toBe(retailerOf.get(consent.meteringPointId));
        expect(consent.scopes).toEqual(['hems:read']);
        expect(consent.validTo.getTime()).toBeGreaterThan(Date.now());
      }
    });

    it("gives most of the congested feeder's car owners a HEMS with their 7.4 kW wallbox", () => {
      const owners = demo.congestion!.homeChargers.map((c) => c.meteringPointId);
      const hemsOf = new Map(demo.hemsSystems.map((h) => [h.meteringPointId, h.id]));
      const withHems = owners.filter((id) => hemsOf.has(id));
      expect(withHems.length).toBeGreaterThanOrEqual(10);
      for (const pointId of withHems) {
        expect(demo.hemsDevices.some((d) => d.hemsId === hemsOf.get(pointId) && d.kind === 'EV_CHARGER' && d.ratedPowerKw === 7.4)).toBe(true);
      }
    });

    it('seeds 10 flexibility requests on distinct substations in the 18:00-21:00 Lisbon peak, ISP by ISP', () => {
      expect(demo.flexRequests).toHaveLength(10);
      const substations = new Set(demo.secondarySubstations.map((s) => s.id));
      expect(new Set(demo.flexRequests.map((r) => r.congestionPointId)).size).toBe(10);
      for (const r of demo.flexRequests) {
        expect(r).toMatchObject({ congestionPointKind: 'SECONDARY_SUBSTATION', secondarySubstationId: r.congestionPointId, revision: 1, needId: null });
        expect(substations.has(r.congestionPointId)).toBe(true);
        expect(minutesOfDayInLisbon(r.periodStart)).toBeGreaterThanOrEqual(18 * 60);
        expect(minutesOfDayInLisbon(r.periodEnd)).toBeLessThanOrEqual(21 * 60);
        expect(r.createdAt.getTime()).toBeLessThan(r.expiresAt.getTime());
        expect(r.expiresAt.getTime()).toBeLessThanOrEqual(r.periodStart.getTime());
        const isps = demo.flexRequestIsps.filter((isp) => isp.requestId === r.id);
        // Every quarter-hour of the period, once, in order.
        expect(isps.map((isp) => isp.start.getTime())).toEqual(
          Array.from({ length: (r.periodEnd.getTime() - r.periodStart.getTime()) / 900_000 }, (_, n) => r.periodStart.getTime() + n * 900_000),
        );
        for (const isp of isps) expect(isp.maxKw).toBeGreaterThanOrEqual(isp.minKw);
        expect(isps[0]!.minKw).toBeGreaterThan(0);
      }
    });

    it('closed the earlier 60 % when their period ended, and keeps the others open in the days after the seeding', () => {
      const nowMs = Date.parse('2026-03-10T12:00:00Z');
      const seeded = generateParish({ customers: DEMO_CUSTOMERS, nowMs });
      const closed = seeded.flexRequests.filter((r) => r.status === 'CLOSED');
      const open = seeded.flexRequests.filter((r) => r.status === 'OPEN');
      expect([closed.length, open.length]).toEqual([6, 4]);
      for (const r of closed) {
        expect(r).toMatchObject({ closeReason: 'PERIOD_ENDED', closedAt: r.periodEnd, restoredAt: r.periodEnd });
        expect(r.periodEnd.getTime()).toBeLessThan(nowMs);
      }
      for (const r of open) {
        expect(r).toMatchObject({ closeReason: null, closedAt: null, restoredAt: null });
        expect(r.createdAt.getTime()).toBeLessThan(nowMs);
        expect(r.expiresAt.getTime()).toBeGreaterThan(Date.parse('2026-03-11T00:00:00Z'));
        expect(r.periodEnd.getTime()).toBeLessThan(Date.parse('2026-03-14T00:00:00Z'));
      }
    });

    it("publishes each request to exactly the retailers supplying a point behind its substation", () => {
      const substationOf = new Map(demo.feeders.map((f) => [f.id, f.secondarySubstationId]));
      const retailerOf = new Map(demo.meteringPoints.map((p) => [p.id, p.retailerId]));
      for (const r of demo.flexRequests) {
        const behind = demo.connections.filter((c) => substationOf.get(c.feederId) === r.congestionPointId).map((c) => retailerOf.get(c.meteringPointId)!);
        const recipients = demo.flexRequestRecipients.filter((row) => row.requestId === r.id).map((row) => row.organisationId);
        expect(recipients).toEqual([...new Set(behind)].sort());
        expect(recipients.length).toBeGreaterThan(0);
      }
    });
  });

  it('keeps a tiny parish consistent: a substation per primary and every point connected', () => {
    const tiny = generateParish({ customers: 3 });
    expect(new Set(tiny.secondarySubstations.map((s) => s.primarySubstationId)).size).toBe(2);
    expect(tiny.connections).toHaveLength(3);
    expect(tiny.evChargingStations).toHaveLength(0);
  });
});
