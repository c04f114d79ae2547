import { CONSENT_ROLES, CONSENT_SCOPES, HEMS_SHARING_SCOPES, isConsentScope, type ConsentScope } from '../../schema/access';

export const CONSENT_STATES = ['GRANTED', 'REVOKED', 'EXPIRED'] as const;
export type ConsentStateName = (typeof CONSENT_STATES)[number];

/** Ten years: a consent is a customer's decision, renewed knowingly, not a standing grant. */
export const MAX_CONSENT_MS = 3_660 * 86_400_000;

export interface ConsentDraft {
  scopes: readonly string[];
  fromMs: number;
  toMs: number;
}

/** Everything wrong with a consent before anything is looked up; empty when it may be granted. */
export function consentProblems(draft: ConsentDraft, nowMs: number): string[] {
  const problems: string[] = [];
  if (draft.scopes.length === 0) problems.push(`scopes must name at least one of ${CONSENT_SCOPES.join(', ')}`);
  const unknown = draft.scopes.filter((scope) => !isConsentScope(scope));
  if (unknown.length > 0) problems.push(`a consent can only cover ${CONSENT_SCOPES.join(', ')}; not ${unknown.join(', ')}`);
  if (!Number.isFinite(draft.fromMs) || !Number.isFinite(draft.toMs)) problems.push('from and to must be valid times');
  else if (draft.toMs <= draft.fromMs) problems.push('to must be after from');
  else if (draft.toMs <= nowMs) problems.push('to must be in the future: the consent would never be in force');
  else if (draft.toMs - draft.fromMs > MAX_CONSENT_MS) problems.push('a consent may cover at most ten years');
  return problems;
}

/**
 * Why an organisation of this kind cannot hold a consent of these scopes, or null when it can:
 * aggregators and researchers any consent scope; a retailer only its customers' HEMS (it reads
 * their points by contract already).
 */
export function consentHolderProblem(kind: string | null, scopes: readonly string[]): string | null {
  if (kind && (CONSENT_ROLES as readonly string[]).includes(kind)) return null;
  if (kind === 'retailer') {
    const beyond = scopes.filter((scope) => !(HEMS_SHARING_SCOPES as readonly string[]).includes(scope));
    return beyond.length === 0 ? null : `a retailer reads its customers' points by contract: a consent to it can only share the HEMS (${HEMS_SHARING_SCOPES.join(', ')}), not ${beyond.join(', ')}`;
  }
  return `organisationId must name an aggregator or a researcher (${CONSENT_ROLES.join(', ')}), or a retailer for ${HEMS_SHARING_SCOPES.join(', ')}`;
}

/** The scopes to store: known ones, each once, in a fixed order. */
export function consentScopes(scopes: readonly string[]): ConsentScope[] {
  return CONSENT_SCOPES.filter((scope) => scopes.includes(scope));
}

/** REVOKED once revoked; EXPIRED from its end; else GRANTED (in force). */
export function consentState(consent: { revokedAt: Date | null; validTo: Date }, nowMs: number): ConsentStateName {
  if (consent.revokedAt) return 'REVOKED';
  return consent.validTo.getTime() <= nowMs ? 'EXPIRED' : 'GRANTED';
}
