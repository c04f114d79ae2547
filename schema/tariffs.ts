/**
 * The vocabulary of tariffs, shared by their tables (schema/tables/tariffs.ts), their hub events
 * (schema/events.ts) and the tariffs subgraph's rules and types.
 */

/** FLAT: one price all day; TIME_OF_USE: a price per ERSE period; CRITICAL_PEAK: time-of-use plus announced critical-peak hours. */
export const TARIFF_KINDS = ['FLAT', 'TIME_OF_USE', 'CRITICAL_PEAK'] as const;
export type TariffKind = (typeof TARIFF_KINDS)[number];

/** ERSE's daily and weekly time-of-use cycles. */
export const TARIFF_CYCLES = ['DAILY', 'WEEKLY'] as const;
export type TariffCycle = (typeof TARIFF_CYCLES)[number];

/**
 * The periods a scheme prices, under ERSE's names: `all` (flat), `vazio` and `fora_vazio`
 * (two-rate), `ponta`, `cheias` and `vazio` (three-rate), or the four periods; and, for a
 * critical-peak scheme, `critical_peak`, which overrides the period during announced events.
 */
export const PRICED_PERIODS = ['all', 'vazio', 'fora_vazio', 'ponta', 'cheias', 'vazio_normal', 'super_vazio', 'critical_peak'] as const;
export type PricedPeriod = (typeof PRICED_PERIODS)[number];

/** A DRAFT scheme (a calibration's result) may still change; a PUBLISHED one never does: a change is a new version. */
export const SCHEME_STATUSES = ['DRAFT', 'PUBLISHED'] as const;
export type SchemeStatus = (typeof SCHEME_STATUSES)[number];

/** Who withdrew from the pilot: either party may, and the enrolment ends at the next local midnight. */
export const PILOT_PARTIES = ['CUSTOMER', 'RETAILER'] as const;
export type PilotParty = (typeof PILOT_PARTIES)[number];
