import { latestOutboxId } from '../../subgraphs/kit/outbox-tail';
import { lastMidnightMs, writeHistory } from '../seed/history';
import { postGraphQL } from '../testing/hub-fixture';
import { subscribeOverWs } from '../testing/ws-subscriber';
import { openBenchHub } from './bench-hub';
import type { Scenario } from './scenario';
import { medianOf, percentile, round } from './stats';

const RUNS = 20;
const WARMUP = 3;
const EVENTS = 10;
const DAY_MS = 86_400_000;
const HISTORY_DAYS = 7;
const PAGE = 1_000;

type Body = { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };

/**
 * The bounds of issue 8, measured on the demo parish with a week of history:
 * - refusals: a year of 15-minute curves for 1,000 points, and a 1.2 MB document of repeated
 *   fields, against the floor of the cheapest query through the gateway;
 * - large legitimate answers: a week of 1,000 points as series (and a day as objects) against
 *   the SQL that reads the same readings, and a retailer's whole portfolio's day, page by page;
 * - the disclosure rules' price: the network's day for the regulator against the DSO's;
 * - push isolation: how long an emergency order takes to reach a retailer while another
 *   retailer's subscription cannot be materialised, against the same without it.
 */
export const accessScenario: Scenario = {
  name: 'access',
  description: 'refusals, portfolios as series, the disclosure rules and push isolation, each next to its floor',
  async run({ customers }) {
    const bench = await openBenchHub(customers);
    const { database, parish, createKey } = bench;
    const dayEndMs = lastMidnightMs();
    try {
      await writeHistory(database, parish, { dayStartsMs: Array.from({ length: HISTORY_DAYS }, (_, i) => dayEndMs - (i + 1) * DAY_MS) });
      await database.pool.query('ANALYZE');
      const url = `${bench.hub.url}/graphql`;
      const retailerId = 'ret-edpc';
      const [dso, retailer, regulator, other] = await Promise.all([createKey('dso', 'dso'), createKey('retailer', retailerId), createKey('regulator', 'erse'), createKey('retailer', 'ret-goldenergy')]);
      const ask = async (key: string, query: string, variables?: Record<string, unknown>, expectCode?: string) => {
        const { body } = await postGraphQL<unknown>(url, query, { authorization: `Bearer ${key}` }, variables);
        const code = (body as Body).errors?.[0]?.extensions?.code;
        if (expectCode ? code !== expectCode : (body as Body).errors) throw new Error(`unexpected answer: ${JSON.stringify(body).slice(0, 300)}`);
        return body;
      };
      const median = (work: () => Promise<unknown>, runs = RUNS) => medianOf(work, { warmup: WARMUP, runs });

      const day = { from: new Date(dayEndMs - DAY_MS).toISOString(), to: new Date(dayEndMs).toISOString() };
      const week = { from: new Date(dayEndMs - HISTORY_DAYS * DAY_MS).toISOString(), to: new Date(dayEndMs).toISOString() };
      const year = { from: new Date(dayEndMs - 365 * DAY_MS).toISOString(), to: new Date(dayEndMs).toISOString() };
      const curves = (field: 'loadCurve' | 'loadCurveSeries', selection: string) =>
        `query($from: DateTime!, $to: DateTime!, $after: String) { meteringPoints(first: ${PAGE}, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id ${field}(from: $from, to: $to) { ${selection} } } } } }`;
      const OBJECTS = curves('loadCurve', 'intervalStart importWh exportWh');
      const SERIES = curves('loadCurveSeries', 'start importWh exportWh');

      const floorMs = await median(() => ask(dso.key, '{ me { role } }'));
      const yearRefusalMs = await median(() => ask(dso.key, OBJECTS, year, 'BAD_USER_INPUT'));
      const huge = `{ ${'me { role } '.repeat(100_000)}}`;
      const hugeDocumentRefusalMs = await median(() => ask(dso.key, huge, undefined, 'BAD_USER_INPUT'));

      // The points of the retailer's first page (current and former ones, as it lists them): the SQL floor reads the same.
      const firstPage = (await ask(retailer.key, `{ meteringPoints(first: ${PAGE}) { edges { node { id } } } }`)) as { data: { meteringPoints: { edges: { node: { id: string } }[] } } };
      const pageIds = firstPage.data.meteringPoints.edges.map((edge) => edge.node.id);
      const weekSeriesMs = await median(() => ask(retailer.key, SERIES, week), 5);
      await ask(retailer.key, OBJECTS, week, 'BAD_USER_INPUT');
      const dayObjectsMs = await median(() => ask(retailer.key, OBJECTS, day), 5);
      // The floor: the same readings (those of the retailer's own supply periods, all it gets of a
      // former point) in the same shape (two arrays per point), with no GraphQL.
      const weekSqlMs = await median(
        () =>
          database.pool.query(
            `SELECT mp.id, array_agg(r.import_wh ORDER BY r.interval_start), array_agg(r.export_wh ORDER BY r.interval_start)
             FROM metering.metering_points mp
             JOIN metering.supply_contracts sc ON sc.metering_point_id = mp.id AND sc.retailer_id = $4
             JOIN metering.readings r ON r.metering_point_key = mp.key AND r.interval_start >= sc.valid_from AND (sc.valid_to IS NULL OR r.interval_start < sc.valid_to)
             WHERE mp.id = ANY($1::text[]) AND r.interval_start >= $2 AND r.interval_start < $3 GROUP BY 1`,
            [pageIds, week.from, week.to, retailerId],
          ),
        5,
      );
      // The points the walk covers, current and former: counted from its pages, not from the parish.
      let portfolio = 0;
      const portfolioDaySeriesMs = await median(async () => {
        let after: string | null = null;
        let points = 0;
        do {
          const body = (await ask(retailer.key, SERIES, { ...day, after })) as { data: { meteringPoints: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: unknown[] } } };
          points += body.data.meteringPoints.edges.length;
          after = body.data.meteringPoints.pageInfo.hasNextPage ? body.data.meteringPoints.pageInfo.endCursor : null;
        } while (after);
        portfolio = points;
      }, 5);

      const NETWORK = `query($from: DateTime!, $to: DateTime!) { demand(scope: { network: true }, from: $from, to: $to) { points { importWh withheld } } }`;
      const regulatorDayMs = await median(() => ask(regulator.key, NETWORK, day));
      const dsoDayMs = await median(() => ask(dso.key, NETWORK, day));

      const delays = async (hostile: boolean) => {
        const after = String(await latestOutboxId(database.pool));
        const normal = subscribeOverWs<unknown>(bench.hub.url, other.key, 'subscription($after: ID) { contractedPowerOrders(after: $after) { eventId order { id } } }', { after });
        const troubled = hostile
          ? subscribeOverWs<unknown>(bench.hub.url, retailer.key, 'subscription($after: ID) { contractedPowerOrders(after: $after) { eventId affected { meteringPoint { hems { vendor } } } } }', { after })
          : null;
        await Promise.all([normal.connected, troubled?.connected]);
        // Every request reaching the HEMS subgraph fails: the troubled subscription's events are retried, never sent.
        if (hostile) await database.pool.query('ALTER TABLE hems.systems RENAME TO systems_away');
        const samples: number[] = [];
        try {
          for (let i = 0; i < EVENTS; i++) {
            const sentMs = performance.now();
            await ask(dso.key, `mutation($input: IssueContractedPowerOrderInput!) { issueContractedPowerOrder(input: $input) { id } }`, {
              input: { area: { primarySubstationId: parish.primarySubstations[0]!.id }, reductionPercent: 20, start: new Date().toISOString(), expectedEnd: new Date(Date.now() + 3_600_000).toISOString(), reason: 'bench' },
            });
            await normal.next();
            samples.push(performance.now() - sentMs);
          }
        } finally {
          if (hostile) await database.pool.query('ALTER TABLE hems.systems_away RENAME TO systems');
          await Promise.all([normal.dispose(), troubled?.dispose()]);
        }
        return { p50: percentile(samples, 50), max: Math.max(...samples) };
      };
      const plain = await delays(false);
      const beside = await delays(true);

      return {
        metrics: {
          floorMs: round(floorMs),
          yearRefusalMs: round(yearRefusalMs),
          hugeDocumentRefusalMs: round(hugeDocumentRefusalMs),
          weekSeries1000Ms: round(weekSeriesMs),
          dayObjects1000Ms: round(dayObjectsMs),
          weekSql1000Ms: round(weekSqlMs),
          seriesOverSqlRatio: round(weekSeriesMs / weekSqlMs),
          portfolioPoints: portfolio,
          portfolioDaySeriesMs: round(portfolioDaySeriesMs),
          regulatorDayMs: round(regulatorDayMs),
          dsoDayMs: round(dsoDayMs),
          disclosureRatio: round(regulatorDayMs / dsoDayMs),
          orderDelayP50Ms: round(plain.p50),
          orderDelayBesideHostileP50Ms: round(beside.p50),
          orderDelayBesideHostileMaxMs: round(beside.max),
        },
        table: [
          { what: 'cheapest query through the gateway (floor)', ms: round(floorMs) },
          { what: 'year of PT15M curves for 1,000 points: refused', ms: round(yearRefusalMs) },
          { what: '1.2 MB document of repeated fields: refused', ms: round(hugeDocumentRefusalMs) },
          { what: 'a week of 1,000 points as series', ms: round(weekSeriesMs) },
          { what: 'the same readings straight from PostgreSQL (floor)', ms: round(weekSqlMs) },
          { what: 'a day of 1,000 points as objects', ms: round(dayObjectsMs) },
          { what: `a retailer's whole portfolio (${portfolio} points), a day as series, page by page`, ms: round(portfolioDaySeriesMs) },
          { what: 'network day for the regulator (disclosure rules)', ms: round(regulatorDayMs) },
          { what: 'network day for the DSO (floor)', ms: round(dsoDayMs) },
          { what: 'emergency order to a retailer, p50 (floor)', ms: round(plain.p50) },
          { what: 'the same beside a hostile subscriber, p50 / max', ms: `${round(beside.p50)} / ${round(beside.max)}` },
        ],
      };
    } finally {
      await bench.close();
    }
  },
};
