import { PHASES, type LvNetwork } from './lv-network';

/**
 * Unbalanced three-phase power flow of a radial LV feeder by backward/forward sweep.
 *
 * Model (the one the IEEE European LV Test Feeder's published OpenDSS solution uses):
 * - every segment is a 3x3 phase impedance built from its sequence impedances, with the neutral
 *   reduced into it (Zs = (2·Z1 + Z0)/3, Zm = (Z0 − Z1)/3), so the drop on phase k is
 *   Z1·I_k + Zm·(I_a + I_b + I_c);
 * - the MV source and the Delta / grounded-Wye transformer together are a Thevenin equivalent at
 *   the LV terminals: the source's positive and negative sequence impedance (from ISC3 and X1/R1)
 *   referred through the ratio, in series with the transformer's leakage impedance. The delta
 *   winding blocks zero sequence, so the LV side sees only the transformer in zero sequence.
 *   The open-circuit voltages lag the MV ones by 30° (Dyn1, as OpenDSS connects it);
 * - loads are constant PQ, line-to-neutral on their own phase, the neutral at earth potential.
 * Complex numbers are kept as separate real and imaginary typed arrays, phase-major per bus
 * (index 3·bus + phase), so a sweep is a few tight loops without allocation.
 */

export interface PowerFlowOptions {
  /** Stop when no node voltage moves more than this between two sweeps. */
  toleranceV: number;
  maxIterations: number;
}

export const DEFAULT_POWER_FLOW_OPTIONS: PowerFlowOptions = { toleranceV: 1e-6, maxIterations: 100 };

export class PowerFlowDivergedError extends Error {
  constructor(readonly iterations: number, readonly mismatchV: number) {
    super(`The power flow did not converge in ${iterations} iterations (largest voltage change ${mismatchV.toExponential(2)} V): the load is beyond what the feeder can carry`);
    this.name = 'PowerFlowDivergedError';
  }
}

export interface Convergence {
  iterations: number;
  /** The largest change of a node voltage in the last sweep (V). */
  mismatchV: number;
}

const SQRT3 = Math.sqrt(3);
const DEG = 180 / Math.PI;

/** The feeder compiled for the sweep: buses in breadth-first order from the transformer (bus 0). */
export class CompiledFeeder {
  readonly busNames: string[];
  readonly busIndex: Map<string, number>;
  /** parent[b] is the bus feeding b; the segment feeding b has the same index as b (none for 0). */
  readonly parent: Int32Array;
  readonly segmentNames: string[];
  readonly segmentFeederIds: (string | null)[];
  readonly z1Re: Float64Array;
  readonly z1Im: Float64Array;
  readonly zmRe: Float64Array;
  readonly zmIm: Float64Array;
  /** Per segment (indexed by the bus it feeds); NaN when unknown. */
  readonly ampacityA: Float64Array;
  readonly loadBus: Int32Array;
  readonly loadPhase: Int8Array;
  readonly loadTanPhi: Float64Array;
  /** Open-circuit LV voltages (V) and the Thevenin impedance behind the LV terminals (Ω). */
  readonly sourceRe: Float64Array;
  readonly sourceIm: Float64Array;
  readonly source: { z1Re: number; z1Im: number; zmRe: number; zmIm: number };
  readonly transformerResistanceOhm: number;
  readonly transformerRatedCurrentA: number;
  /** Line-to-neutral base of the LV side (V), for per-unit figures. */
  readonly baseVoltageV: number;

  constructor(readonly network: LvNetwork) {
    const { transformer, source } = network;
    const children = new Map<string, { bus: string; segment: number }[]>();
    network.lines.forEach((line, segment) => {
      for (const [from, to] of [[line.fromBus, line.toBus], [line.toBus, line.fromBus]] as const) {
        const list = children.get(from) ?? [];
        list.push({ bus: to, segment });
        children.set(from, list);
      }
    });
    const order: { bus: string; parent: number; segment: number }[] = [{ bus: network.rootBus, parent: -1, segment: -1 }];
    const busIndex = new Map<string, number>([[network.rootBus, 0]]);
    for (let head = 0; head < order.length; head++) {
      for (const next of children.get(order[head].bus) ?? []) {
        if (busIndex.has(next.bus)) continue;
        busIndex.set(next.bus, order.length);
        order.push({ bus: next.bus, parent: head, segment: next.segment });
      }
    }
    const count = order.length;
    if (count !== network.lines.length + 1) throw new Error(`${network.name}: the segments do not form one radial tree from bus ${network.rootBus}`);
    const codes = new Map(network.lineCodes.map((code) => [code.name, code]));
    this.busNames = order.map((entry) => entry.bus);
    this.busIndex = busIndex;
    this.parent = Int32Array.from(order, (entry) => entry.parent);
    this.segmentNames = order.map((entry) => (entry.segment < 0 ? '' : network.lines[entry.segment].name));
    this.segmentFeederIds = order.map((entry) => (entry.segment < 0 ? null : network.lines[entry.segment].feederId));
    this.z1Re = new Float64Array(count);
    this.z1Im = new Float64Array(count);
    this.zmRe = new Float64Array(count);
    this.zmIm = new Float64Array(count);
    this.ampacityA = new Float64Array(count).fill(NaN);
    for (let b = 1; b < count; b++) {
      const line = network.lines[order[b].segment];
      const code = codes.get(line.lineCode);
      if (!code) throw new Error(`${network.name}: segment ${line.name} has an unknown line code ${line.lineCode}`);
      const km = line.lengthM / 1000;
      this.z1Re[b] = code.r1OhmPerKm * km;
      this.z1Im[b] = code.x1OhmPerKm * km;
      this.zmRe[b] = ((code.r0OhmPerKm - code.r1OhmPerKm) / 3) * km;
      this.zmIm[b] = ((code.x0OhmPerKm - code.x1OhmPerKm) / 3) * km;
      if (code.ampacityA !== null) this.ampacityA[b] = code.ampacityA;
    }
    this.loadBus = Int32Array.from(network.loads, (load) => {
      const index = busIndex.get(load.bus);
      if (index === undefined) throw new Error(`${network.name}: load ${load.name} is on bus ${load.bus}, which no segment reaches`);
      return index;
    });
    this.loadPhase = Int8Array.from(network.loads, (load) => PHASES.indexOf(load.phase));
    this.loadTanPhi = Float64Array.from(network.loads, (load) => Math.tan(Math.acos(Math.min(1, Math.abs(load.powerFactor)))) * Math.sign(load.powerFactor));

    const ratio = transformer.secondaryKv / transformer.primaryKv;
    const lvBaseOhm = (transformer.secondaryKv * transformer.secondaryKv * 1000) / transformer.ratedKva;
    const txRe = (transformer.resistancePercent / 100) * lvBaseOhm;
    const txIm = (transformer.reactancePercent / 100) * lvBaseOhm;
    // |Z1| = V_LL / (√3 · ISC3), split by X/R; referred to the LV side by the square of the ratio.
    const z1Mv = (source.voltageKv * 1000) / (SQRT3 * source.isc3A);
    const r1Mv = z1Mv / Math.sqrt(1 + source.x1r1 * source.x1r1);
    const src1Re = r1Mv * ratio * ratio;
    const src1Im = r1Mv * source.x1r1 * ratio * ratio;
    // Z1 = tx + source, Z0 = tx: Zm = (Z0 − Z1)/3 = −source/3.
    this.source = { z1Re: txRe + src1Re, z1Im: txIm + src1Im, zmRe: -src1Re / 3, zmIm: -src1Im / 3 };
    this.transformerResistanceOhm = txRe;
    this.baseVoltageV = (transformer.secondaryKv * 1000) / SQRT3;
    this.transformerRatedCurrentA = (transformer.ratedKva * 1000) / (SQRT3 * transformer.secondaryKv * 1000);
    // The MV network's own voltage through the turns ratio: a tap off the MV nominal shows on the LV side.
    const openCircuitV = (source.voltagePu * source.voltageKv * 1000 * ratio) / SQRT3;
    this.sourceRe = new Float64Array(3);
    this.sourceIm = new Float64Array(3);
    for (let k = 0; k < 3; k++) {
      const angle = (-30 - 120 * k) / DEG;
      this.sourceRe[k] = openCircuitV * Math.cos(angle);
      this.sourceIm[k] = openCircuitV * Math.sin(angle);
    }
  }

  get busCount(): number {
    return this.busNames.length;
  }

  get loadCount(): number {
    return this.loadBus.length;
  }
}

/**
 * A solver bound to one feeder: its work arrays are reused from one solve to the next, and the
 * voltages of the last solution start the next one (warm start), which is what makes a day of
 * steps cheap.
 */
export class PowerFlowSolver {
  /** Node voltages (V), index 3·bus + phase. */
  readonly vRe: Float64Array;
  readonly vIm: Float64Array;
  /** After a solve: the current into each bus through its segment (bus 0: out of the transformer). */
  readonly iRe: Float64Array;
  readonly iIm: Float64Array;
  private readonly loadPowerW: Float64Array;
  private readonly loadReactiveVar: Float64Array;

  constructor(readonly feeder: CompiledFeeder, private readonly options: PowerFlowOptions = DEFAULT_POWER_FLOW_OPTIONS) {
    const nodes = feeder.busCount * 3;
    this.vRe = new Float64Array(nodes);
    this.vIm = new Float64Array(nodes);
    this.iRe = new Float64Array(nodes);
    this.iIm = new Float64Array(nodes);
    this.loadPowerW = new Float64Array(feeder.loadCount);
    this.loadReactiveVar = new Float64Array(feeder.loadCount);
    this.reset();
  }

  /** Back to a flat start at the open-circuit voltages. */
  reset(): void {
    const { sourceRe, sourceIm, busCount } = this.feeder;
    for (let b = 0; b < busCount; b++) {
      for (let k = 0; k < 3; k++) {
        this.vRe[3 * b + k] = sourceRe[k];
        this.vIm[3 * b + k] = sourceIm[k];
      }
    }
  }

  /**
   * Solves for the loads' active powers (kW, one per load of the network, negative for export);
   * reactive power follows each load's power factor for consumption, and is zero for export
   * (inverters run at unity power factor).
   */
  solve(loadKw: ArrayLike<number>): Convergence {
    const feeder = this.feeder;
    const { parent, z1Re, z1Im, zmRe, zmIm, loadBus, loadPhase, loadTanPhi, sourceRe, sourceIm, source } = feeder;
    const { vRe, vIm, iRe, iIm, loadPowerW, loadReactiveVar } = this;
    const busCount = feeder.busCount;
    const loadCount = feeder.loadCount;
    if (loadKw.length !== loadCount) throw new Error(`expected ${loadCount} load powers, got ${loadKw.length}`);
    for (let l = 0; l < loadCount; l++) {
      const watts = loadKw[l] * 1000;
      loadPowerW[l] = watts;
      loadReactiveVar[l] = watts > 0 ? watts * loadTanPhi[l] : 0;
    }
    let mismatch = Infinity;
    let iterations = 0;
    while (iterations < this.options.maxIterations) {
      iterations++;
      iRe.fill(0);
      iIm.fill(0);
      // Load currents: I = conj(S / V) = (P − jQ)·V / |V|² … written out for V = Vr + jVi.
      for (let l = 0; l < loadCount; l++) {
        const node = 3 * loadBus[l] + loadPhase[l];
        const vr = vRe[node];
        const vi = vIm[node];
        const v2 = vr * vr + vi * vi;
        const p = loadPowerW[l];
        const q = loadReactiveVar[l];
        iRe[node] += (p * vr + q * vi) / v2;
        iIm[node] += (p * vi - q * vr) / v2;
      }
      // Backward: each bus's current joins its parent's, leaves first.
      for (let b = busCount - 1; b > 0; b--) {
        const own = 3 * b;
        const up = 3 * parent[b];
        iRe[up] += iRe[own];
        iIm[up] += iIm[own];
        iRe[up + 1] += iRe[own + 1];
        iIm[up + 1] += iIm[own + 1];
        iRe[up + 2] += iRe[own + 2];
        iIm[up + 2] += iIm[own + 2];
      }
      // Forward: the source's drop, then each segment's, root first.
      mismatch = 0;
      {
        const sumRe = iRe[0] + iRe[1] + iRe[2];
        const sumIm = iIm[0] + iIm[1] + iIm[2];
        const mRe = source.zmRe * sumRe - source.zmIm * sumIm;
        const mIm = source.zmRe * sumIm + source.zmIm * sumRe;
        for (let k = 0; k < 3; k++) {
          const nr = sourceRe[k] - (source.z1Re * iRe[k] - source.z1Im * iIm[k]) - mRe;
          const ni = sourceIm[k] - (source.z1Re * iIm[k] + source.z1Im * iRe[k]) - mIm;
          const dr = nr - vRe[k];
          const di = ni - vIm[k];
          const change = dr * dr + di * di;
          if (change > mismatch) mismatch = change;
          vRe[k] = nr;
          vIm[k] = ni;
        }
      }
      for (let b = 1; b < busCount; b++) {
        const own = 3 * b;
        const up = 3 * parent[b];
        const zr = z1Re[b];
        const zi = z1Im[b];
        const sumRe = iRe[own] + iRe[own + 1] + iRe[own + 2];
        const sumIm = iIm[own] + iIm[own + 1] + iIm[own + 2];
        const mRe = zmRe[b] * sumRe - zmIm[b] * sumIm;
        const mIm = zmRe[b] * sumIm + zmIm[b] * sumRe;
        for (let k = 0; k < 3; k++) {
          const nr = vRe[up + k] - (zr * iRe[own + k] - zi * iIm[own + k]) - mRe;
          const ni = vIm[up + k] - (zr * iIm[own + k] + zi * iRe[own + k]) - mIm;
          const dr = nr - vRe[own + k];
          const di = ni - vIm[own + k];
          const change = dr * dr + di * di;
          if (change > mismatch) mismatch = change;
          vRe[own + k] = nr;
          vIm[own + k] = ni;
        }
      }
      mismatch = Math.sqrt(mismatch);
      if (!(mismatch < Number.MAX_VALUE)) break;
      if (mismatch <= this.options.toleranceV) return { iterations, mismatchV: mismatch };
    }
    // Keep the next solve from starting at the wreck of this one.
    this.reset();
    throw new PowerFlowDivergedError(iterations, mismatch);
  }

  voltageMagnitudeV(bus: number, phase: number): number {
    const node = 3 * bus + phase;
    return Math.hypot(this.vRe[node], this.vIm[node]);
  }

  voltageAngleDeg(bus: number, phase: number): number {
    const node = 3 * bus + phase;
    return Math.atan2(this.vIm[node], this.vRe[node]) * DEG;
  }

  /** Current in the segment feeding `bus`, or out of the transformer for bus 0 (A). */
  currentA(bus: number, phase: number): number {
    const node = 3 * bus + phase;
    return Math.hypot(this.iRe[node], this.iIm[node]);
  }

  /** Power out of the transformer's LV terminals per phase (kW, kvar). */
  substationPower(): { pKw: [number, number, number]; qKvar: [number, number, number] } {
    const p: [number, number, number] = [0, 0, 0];
    const q: [number, number, number] = [0, 0, 0];
    for (let k = 0; k < 3; k++) {
      // S = V · conj(I)
      p[k] = (this.vRe[k] * this.iRe[k] + this.vIm[k] * this.iIm[k]) / 1000;
      q[k] = (this.vIm[k] * this.iRe[k] - this.vRe[k] * this.iIm[k]) / 1000;
    }
    return { pKw: p, qKvar: q };
  }

  /** Losses in the LV segments (kW): what leaves the transformer minus what the loads take. */
  lineLossesKw(): number {
    const { pKw } = this.substationPower();
    let loads = 0;
    for (let l = 0; l < this.loadPowerW.length; l++) loads += this.loadPowerW[l];
    return pKw[0] + pKw[1] + pKw[2] - loads / 1000;
  }

  transformerLossesKw(): number {
    let sum = 0;
    for (let k = 0; k < 3; k++) sum += this.iRe[k] * this.iRe[k] + this.iIm[k] * this.iIm[k];
    return (this.feeder.transformerResistanceOhm * sum) / 1000;
  }

  /** The largest phase current over the rated current, in %. */
  transformerLoadingPercent(): number {
    return (100 * Math.max(this.currentA(0, 0), this.currentA(0, 1), this.currentA(0, 2))) / this.feeder.transformerRatedCurrentA;
  }

  /** The largest phase current of the segment feeding `bus` over its ampacity, in %; NaN when unknown. */
  segmentLoadingPercent(bus: number): number {
    return (100 * Math.max(this.currentA(bus, 0), this.currentA(bus, 1), this.currentA(bus, 2))) / this.feeder.ampacityA[bus];
  }

  /** Negative- over positive-sequence voltage at `bus` (EN 50160's unbalance), in %. */
  voltageUnbalancePercent(bus: number): number {
    const node = 3 * bus;
    const { vRe, vIm } = this;
    // a = e^{j120°}: V1 = (Va + a·Vb + a²·Vc)/3, V2 = (Va + a²·Vb + a·Vc)/3.
    const c = -0.5;
    const s = SQRT3 / 2;
    const bRe = vRe[node + 1];
    const bIm = vIm[node + 1];
    const cRe = vRe[node + 2];
    const cIm = vIm[node + 2];
    const v1Re = vRe[node] + (c * bRe - s * bIm) + (c * cRe + s * cIm);
    const v1Im = vIm[node] + (c * bIm + s * bRe) + (c * cIm - s * cRe);
    const v2Re = vRe[node] + (c * bRe + s * bIm) + (c * cRe - s * cIm);
    const v2Im = vIm[node] + (c * bIm - s * bRe) + (c * cIm + s * cRe);
    return (100 * Math.hypot(v2Re, v2Im)) / Math.hypot(v1Re, v1Im);
  }
}

/** The loads' kW at one step of their shapes (IEEE feeders): minute is 1-based, as the shapes are. */
export function shapeLoadsKw(network: LvNetwork, minute: number): Float64Array {
  return Float64Array.from(network.loads, (load) => {
    const shape = load.shape === null ? undefined : network.shapes.get(load.shape);
    if (!shape) throw new Error(`load ${load.name} follows no shape`);
    if (!Number.isInteger(minute) || minute < 1 || minute > shape.length) throw new RangeError(`minute must be a whole number from 1 to ${shape.length}, got ${minute}`);
    return shape[minute - 1] * load.share;
  });
}
