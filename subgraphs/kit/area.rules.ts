/**
 * How a request names an area of the network (AreaInput), shared by every subgraph that takes
 * one (flexibility's contracted-power orders, grid's constraints), so that one area is read the
 * same way everywhere.
 */

export interface AreaFields {
  primarySubstationId?: string | null;
  secondarySubstationIds?: string[] | null;
  feederIds?: string[] | null;
}

export type Area = { kind: 'primary'; id: string } | { kind: 'secondary'; ids: string[] } | { kind: 'feeders'; ids: string[] };

export const MAX_AREA_IDS = 500;

/** The area, or what is wrong with it: exactly one way of naming it, with at least one id. */
export function parseArea(fields: AreaFields): Area | string {
  const named = [fields.primarySubstationId != null, fields.secondarySubstationIds != null, fields.feederIds != null].filter(Boolean).length;
  if (named !== 1) return 'name the area with exactly one of primarySubstationId, secondarySubstationIds, feederIds';
  if (fields.primarySubstationId != null) return fields.primarySubstationId ? { kind: 'primary', id: fields.primarySubstationId } : 'primarySubstationId is empty';
  const ids = [...new Set(fields.secondarySubstationIds ?? fields.feederIds ?? [])];
  if (ids.length === 0 || ids.length > MAX_AREA_IDS) return `the area must list 1 to ${MAX_AREA_IDS} ids`;
  return fields.secondarySubstationIds ? { kind: 'secondary', ids } : { kind: 'feeders', ids };
}
