/**
 * An exact leak checker, independent of the disclosure rules: it knows nothing of trees,
 * residuals or groups, only of sets of points. The privacy claim is about the rational span of
 * the indicator vectors a party receives, so that is what it decides, with integer (BigInt)
 * arithmetic only. Used by the rules' property tests and by the end-to-end attack on the API.
 */

export interface Point {
  id: string;
  /** A feeder id, or null when the point is on no feeder (it then counts only in the network). */
  feeder: string | null;
  retailer: string | null;
}

export interface PartyPoint extends Point {
  known: boolean;
}

const abs = (x: bigint) => (x < 0n ? -x : x);
export const gcd = (a: bigint, b: bigint): bigint => {
  let [x, y] = [abs(a), abs(b)];
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
};
const lcm = (a: bigint, b: bigint) => (a === 0n || b === 0n ? 0n : abs(a * b) / gcd(a, b));

/** Keeps the entries of fraction-free elimination from growing: a row only matters up to scale. */
function primitive(row: bigint[]): bigint[] {
  const g = row.reduce((acc, x) => gcd(acc, x), 0n);
  return g > 1n ? row.map((x) => x / g) : row;
}

/** An integer basis of { z : rows · z = 0 } by fraction-free Gauss-Jordan elimination. */
function nullspace(rows: readonly bigint[][], width: number): bigint[][] {
  const m = rows.map((row) => [...row]);
  const pivots: { row: number; col: number }[] = [];
  for (let col = 0; col < width && pivots.length < m.length; col++) {
    const r = pivots.length;
    const found = m.findIndex((row, i) => i >= r && row[col] !== 0n);
    if (found < 0) continue;
    [m[r], m[found]] = [m[found]!, m[r]!];
    const pivotRow = m[r]!;
    const p = pivotRow[col]!;
    for (let i = 0; i < m.length; i++) {
      const f = m[i]![col]!;
      if (i === r || f === 0n) continue;
      m[i] = primitive(m[i]!.map((x, j) => x * p - pivotRow[j]! * f));
    }
    pivots.push({ row: r, col });
  }
  const pivotCols = new Set(pivots.map(({ col }) => col));
  // Scaling by the pivots' lcm makes every basis vector integral: x_pivot = -R[r][f] · L / p_r.
  const scale = pivots.reduce((acc, { row, col }) => lcm(acc, m[row]![col]!), 1n);
  const basis: bigint[][] = [];
  for (let free = 0; free < width; free++) {
    if (pivotCols.has(free)) continue;
    const z = new Array<bigint>(width).fill(0n);
    z[free] = scale;
    for (const { row, col } of pivots) z[col] = (-m[row]![free]! * scale) / m[row]![col]!;
    basis.push(z);
  }
  for (const z of basis) {
    for (const row of rows) {
      if (row.reduce((acc, x, j) => acc + x * z[j]!, 0n) !== 0n) throw new Error('checker bug: nullspace vector is not orthogonal to a row');
    }
  }
  return basis;
}

/**
 * Some set B of unknown points, 0 < |B| < minPoints, whose indicator lies in the rational span of
 * the published sets and the known points' unit vectors (the smallest such B), or null if none.
 *
 * Every vector of that span is constant on atoms (points with the same membership in every set,
 * known points being atoms of their own), so B must be a union S of atoms of unknown points; and
 * 1_S is in the incidence matrix's row space iff it is orthogonal to the matrix's nullspace.
 */
export function findLeak(points: readonly PartyPoint[], published: readonly ReadonlySet<string>[], minPoints: number): string[] | null {
  const ids = new Set(points.map((p) => p.id));
  for (const set of published) for (const id of set) if (!ids.has(id)) throw new Error(`published set names unknown point ${id}`);
  const family: ReadonlySet<string>[] = [...published, ...points.filter((p) => p.known).map((p) => new Set([p.id]))];

  const atoms = new Map<string, { members: string[]; unknown: boolean; sets: number[] }>();
  for (const point of points) {
    const sets = family.flatMap((set, i) => (set.has(point.id) ? [i] : []));
    const signature = sets.join(',');
    const atom = atoms.get(signature) ?? { members: [], unknown: !point.known, sets };
    if (atom.unknown === point.known) throw new Error('checker bug: an atom mixes known and unknown points');
    atom.members.push(point.id);
    atoms.set(signature, atom);
  }
  const atomList = [...atoms.values()];
  const rows = family.map((_, i) => atomList.map((atom) => (atom.sets.includes(i) ? 1n : 0n)));
  const basis = nullspace(rows, atomList.length);

  // Only atoms lighter than minPoints can be part of a light union, and only unknown ones count.
  let candidates = atomList
    .map((atom, a) => ({ members: atom.members, weight: atom.members.length, z: basis.map((v) => v[a]!), unknown: atom.unknown }))
    .filter((c) => c.unknown && c.weight < minPoints);
  // An atom that alone carries some nullspace coordinate can never be cancelled: drop it.
  for (let changed = true; changed; ) {
    changed = false;
    for (let k = 0; k < basis.length; k++) {
      const carriers = candidates.filter((c) => c.z[k] !== 0n);
      if (carriers.length === 1) {
        candidates = candidates.filter((c) => c !== carriers[0]);
        changed = true;
      }
    }
  }
  candidates.sort((a, b) => a.weight - b.weight);

  // Depth-first over unions in order of weight, keeping the lightest: reports stay minimal.
  const best: { weight: number; chosen: number[] | null } = { weight: minPoints, chosen: null };
  const search = (start: number, weight: number, sum: bigint[], chosen: number[]): void => {
    for (let i = start; i < candidates.length; i++) {
      const c = candidates[i]!;
      const w = weight + c.weight;
      if (w >= best.weight) return; // sorted by weight: nothing further is lighter
      const next = sum.map((x, k) => x + c.z[k]!);
      if (next.every((x) => x === 0n)) Object.assign(best, { weight: w, chosen: [...chosen, i] });
      else search(i + 1, w, next, [...chosen, i]);
    }
  };
  search(0, 0, new Array<bigint>(basis.length).fill(0n), []);
  return best.chosen === null ? null : best.chosen.flatMap((i) => candidates[i]!.members).sort();
}
