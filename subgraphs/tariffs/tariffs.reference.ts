import { hasScope } from '../../schema/access';
import type { ReferenceResolvers } from '../kit/subgraph';
import type { TariffsLoaders } from './tariffs.loader';

export const tariffsReferences: ReferenceResolvers<TariffsLoaders> = {
  // A hub event's reference (flexibility's HubEvent.criticalPeakEvent) is read like the query: with tariffs:read.
  CriticalPeakEvent: {
    __resolveReference: (reference, ctx) => (hasScope(ctx.identity, 'tariffs:read') ? ctx.loaders.criticalPeakEvent.load(reference.id) : null),
  },
};
