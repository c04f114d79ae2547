import { lastMidnightMs, writeHistory } from '../seed/history';
import { pointsSuppliedBy, postGraphQL } from '../testing/hub-fixture';
import type { Scenario } from './scenario';
import { medianOf, round } from './stats';
import { openBenchHub } from './bench-hub';

const RUNS = 50;
const WARMUP = 5;
const PORTFOLIO = 1_000;
const DAY_MS = 86_400_000;

const DEMAND = `query($scope: DemandScopeInput!, $from: DateTime!, $to: DateTime!) {
  demand(scope: $scope, from: $from, to: $to) { meteringPointCount points { intervalStart importWh exportWh avgImportKw readingCount } }
}`;

/**
 * Aggregated demand over a day at 15 minutes on the 14,000-point parish: a retailer's portfolio of
 * 1,000 points (from the readings, cut to its supply periods) and the whole network (from the
 * rollups), each through the gateway next to the SQL a hub without rollups would run on the
 * readings: for the portfolio the same sum, for the network the sum over every reading of the day.
 */
export const demandScenario: Scenario = {
  name: 'demand',
  description: 'portfolio of 1,000 points and the whole network over a day: gateway vs SQL on the readings',
  async run({ customers }) {
    const { database, parish, hub, createKey, close } = await openBenchHub(customers);
    const dayEndMs = lastMidnightMs();
    try {
      await writeHistory(database, parish, { dayStartsMs: [dayEndMs - DAY_MS] });
      await database.pool.query('ANALYZE');
      const retailerId = parish.organisations.find((org) => org.kind === 'retailer')!.id;
      const portfolio = pointsSuppliedBy(parish, retailerId).slice(0, PORTFOLIO).map((point) => point.id);
      const retailerKey = (await createKey('retailer', retailerId)).key;
      const dsoKey = (await createKey('dso', 'dso')).key;
      const window = { from: new Date(dayEndMs - DAY_MS).toISOString(), to: new Date(dayEndMs).toISOString() };
      const url = `${hub.url}/graphql`;

      const viaGateway = (key: string, scope: Record<string, unknown>) => async () => {
        const { body } = await postGraphQL<{ demand: { points: unknown[] } }>(url, DEMAND, { authorization: `Bearer ${key}` }, { scope, ...window });
        if (body.errors || body.data?.demand.points.length !== 96) throw new Error(`unexpected answer: ${JSON.stringify(body).slice(0, 300)}`);
      };
      const portfolioSql = () =>
        database.pool.query(
          `SELECT r.interval_start, sum(r.import_wh), sum(r.export_wh), count(*)
           FROM metering.metering_points mp
           JOIN metering.readings r ON r.metering_point_key = mp.key
           JOIN metering.supply_contracts sc ON sc.metering_point_id = mp.id AND sc.retailer_id = $4
             AND r.interval_start >= sc.valid_from AND (sc.valid_to IS NULL OR r.interval_start < sc.valid_to)
           WHERE mp.id = ANY($1::text[]) AND r.interval_start >= $2 AND r.interval_start < $3
           GROUP BY 1 ORDER BY 1`,
          [portfolio, window.from, window.to, retailerId],
        );
      const nationalSql = () =>
        database.pool.query(
          `SELECT interval_start, sum(import_wh), sum(export_wh), count(*) FROM metering.readings
           WHERE interval_start >= $1 AND interval_start < $2 GROUP BY 1 ORDER BY 1`,
          [window.from, window.to],
        );

      const measure = (work: () => Promise<unknown>) => medianOf(work, { warmup: WARMUP, runs: RUNS });
      const portfolioDayMs = await measure(viaGateway(retailerKey, { meteringPointIds: portfolio }));
      const portfolioSqlMs = await measure(portfolioSql);
      const nationalDayMs = await measure(viaGateway(dsoKey, { network: true }));
      const nationalSqlMs = await measure(nationalSql);
      return {
        metrics: {
          portfolioDayMs: round(portfolioDayMs),
          portfolioSqlMs: round(portfolioSqlMs),
          nationalDayMs: round(nationalDayMs),
          nationalSqlMs: round(nationalSqlMs),
        },
        table: [
          { query: `portfolio of ${PORTFOLIO} points, a day at PT15M`, gatewayP50Ms: round(portfolioDayMs), sqlOnReadingsP50Ms: round(portfolioSqlMs) },
          { query: 'whole network, a day at PT15M', gatewayP50Ms: round(nationalDayMs), sqlOnReadingsP50Ms: round(nationalSqlMs) },
        ],
      };
    } finally {
      await close();
    }
  },
};
