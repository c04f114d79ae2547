import type { EventBusKind } from '../../../tools/testing/event-bus';
import { startTestHub, type TestHub } from '../../../tools/testing/hub-fixture';
import { subscribeOverWs, type TestSubscriber } from '../../../tools/testing/ws-subscriber';
import { latestOutboxId } from '../../kit/outbox-tail';
import { CLEAR, constraintFixture, type ConstraintFixture } from './grid-constraint.fixture';

const EVENTS = `subscription($after: ID) {
  hubEvents(types: [GRID_CONSTRAINT], after: $after) {
    eventId type
    gridConstraint { eventId kind constraint { id kind status feederId severity secondarySubstation { id } } }
  }
}`;

interface HubEventFrame {
  data: {
    hubEvents: {
      eventId: string;
      type: string;
      gridConstraint: { eventId: string; kind: string; constraint: { id: string; kind: string; status: string; feederId: string | null; severity: string; secondarySubstation: { id: string } } | null };
    };
  };
}

/** Grid-constraint events over graphql-ws, run once per event bus (grid-constraint-events.*.e2e.test.ts). */
export function describeConstraintEvents(eventBus: EventBusKind): void {
  let t: TestHub;
  let f: ConstraintFixture;
  const subscribers: TestSubscriber<HubEventFrame>[] = [];

  beforeAll(async () => {
    t = await startTestHub({ customers: 100, eventBus });
    f = await constraintFixture(t);
  });
  afterEach(async () => {
    await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.dispose()));
  });
  afterAll(() => t.stop());

  const subscribe = (key: string, after: string) => {
    const subscriber = subscribeOverWs<HubEventFrame>(t.hub.url, key, EVENTS, { after });
    subscribers.push(subscriber);
    return subscriber;
  };
  const received = async (subscriber: TestSubscriber<HubEventFrame>, count: number) => {
    const events = [];
    for (let i = 0; i < count; i++) events.push((await subscriber.next()).data.hubEvents);
    return events;
  };

  it('pushes NEW then CLEARED to the retailer with customers there and to the DSO, not to a retailer without, and replays them after an event id', async () => {
    const area = await f.substationWithOneCustomer();
    const without = f.otherRetailer(area.retailerId);
    const { fromMs } = f.nextWindow();
    const since = String(await latestOutboxId(t.database.handle.pool));
    const withCustomers = subscribe(await f.keyFor('retailer', area.retailerId), since);
    const withoutCustomers = subscribe(await f.keyFor('retailer', without), since);
    const dso = subscribe(f.dsoKey, since);

    const { id } = await f.declare(f.declaration(area.substationId, fromMs, { feederId: area.feederId }));
    expect((await t.graphql(CLEAR, { key: f.dsoKey, variables: { id } })).body.errors).toBeUndefined();
    // Last, a constraint where the other retailer has customers: the first event it receives must be this one.
    const shared = t.parish.connections.find((connection) => t.parish.meteringPoints.some((point) => point.id === connection.meteringPointId && point.retailerId === without && point.id !== area.pointId))!;
    const sharedSubstation = t.parish.feeders.find((feeder) => feeder.id === shared.feederId)!.secondarySubstationId;
    const last = await f.declare(f.declaration(sharedSubstation, fromMs));

    const [declared, cleared] = await received(withCustomers, 2);
    expect(declared).toMatchObject({
      type: 'GRID_CONSTRAINT',
      gridConstraint: { kind: 'NEW', constraint: { id, kind: 'PLANNED_MAINTENANCE', feederId: area.feederId, severity: 'WARNING', secondarySubstation: { id: area.substationId } } },
    });
    expect(declared!.gridConstraint.eventId).toBe(declared!.eventId);
    expect(cleared).toMatchObject({ gridConstraint: { kind: 'CLEARED', constraint: { id, status: 'CLEARED' } } });
    expect(Number(cleared!.eventId)).toBeGreaterThan(Number(declared!.eventId));
    expect((await received(dso, 3)).map((event) => [event.gridConstraint.kind, event.gridConstraint.constraint!.id])).toEqual([
      ['NEW', id],
      ['CLEARED', id],
      ['NEW', last.id],
    ]);
    expect((await withoutCustomers.next()).data.hubEvents.gridConstraint.constraint!.id).toBe(last.id);
    expect(withoutCustomers.errors).toEqual([]);

    // Resuming after the event before the declaration replays the same events, in order.
    const replay = subscribe(await f.keyFor('retailer', area.retailerId), since);
    expect((await received(replay, 2)).map((event) => event.eventId)).toEqual([declared!.eventId, cleared!.eventId]);
  });
}
