import { parseSubgraphConfig, parseSubgraphSettings } from './config';

const required = { DATABASE_URL: 'postgres://127.0.0.1/hub', HUB_IDENTITY_SECRET: 'x'.repeat(32) };

describe('the subgraphs configuration', () => {
  it('defaults to 10 points per published total, a budget of 1,000,000, HEMS offline after 300 s, critical-peak notice by 18:00 and a 5 s statement timeout', () => {
    expect(parseSubgraphSettings({})).toEqual({ minAggregatePoints: 10, maxOperationCost: 1_000_000, hemsOfflineAfterS: 300, criticalPeakNoticeHour: 18 });
    expect(parseSubgraphConfig(required)).toMatchObject({ statementTimeoutMs: 5_000, settings: { minAggregatePoints: 10, maxOperationCost: 1_000_000 } });
  });

  it('reads MIN_AGGREGATE_POINTS, MAX_OPERATION_COST and STATEMENT_TIMEOUT_MS', () => {
    expect(parseSubgraphConfig({ ...required, MIN_AGGREGATE_POINTS: '5', MAX_OPERATION_COST: '20000', STATEMENT_TIMEOUT_MS: '750' })).toMatchObject({
      statementTimeoutMs: 750,
      settings: { minAggregatePoints: 5, maxOperationCost: 20_000 },
    });
  });

  it('never lets a total cover fewer than 5 points, and names the variable', () => {
    expect(() => parseSubgraphSettings({ MIN_AGGREGATE_POINTS: '4' })).toThrow(/MIN_AGGREGATE_POINTS: must be at least 5/);
    expect(() => parseSubgraphConfig({ ...required, MIN_AGGREGATE_POINTS: '4' })).toThrow(/MIN_AGGREGATE_POINTS/);
    expect(() => parseSubgraphSettings({ MAX_OPERATION_COST: '10' })).toThrow(/MAX_OPERATION_COST/);
  });

  it('reads HEMS_OFFLINE_AFTER_S as whole seconds from 1 to a day, and names the variable', () => {
    expect(parseSubgraphSettings({ HEMS_OFFLINE_AFTER_S: '2' })).toMatchObject({ hemsOfflineAfterS: 2 });
    expect(() => parseSubgraphSettings({ HEMS_OFFLINE_AFTER_S: '0' })).toThrow(/HEMS_OFFLINE_AFTER_S/);
    expect(() => parseSubgraphSettings({ HEMS_OFFLINE_AFTER_S: '1.5' })).toThrow(/HEMS_OFFLINE_AFTER_S/);
    expect(() => parseSubgraphConfig({ ...required, HEMS_OFFLINE_AFTER_S: '86401' })).toThrow(/HEMS_OFFLINE_AFTER_S/);
  });

  it('reads CRITICAL_PEAK_NOTICE_HOUR as a whole hour from 0 to 23, and names the variable', () => {
    expect(parseSubgraphSettings({ CRITICAL_PEAK_NOTICE_HOUR: '0' })).toMatchObject({ criticalPeakNoticeHour: 0 });
    expect(parseSubgraphSettings({ CRITICAL_PEAK_NOTICE_HOUR: '23' })).toMatchObject({ criticalPeakNoticeHour: 23 });
    expect(() => parseSubgraphSettings({ CRITICAL_PEAK_NOTICE_HOUR: '24' })).toThrow(/CRITICAL_PEAK_NOTICE_HOUR/);
    expect(() => parseSubgraphSettings({ CRITICAL_PEAK_NOTICE_HOUR: '17.5' })).toThrow(/CRITICAL_PEAK_NOTICE_HOUR/);
    expect(() => parseSubgraphConfig({ ...required, CRITICAL_PEAK_NOTICE_HOUR: '-1' })).toThrow(/CRITICAL_PEAK_NOTICE_HOUR/);
  });
});
