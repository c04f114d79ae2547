import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { SubgraphContext } from '../kit/context';
import type { HemsLoaders } from './hems.loader';
import { Device, Hems } from './hems.type';

@Resolver(() => Hems)
export class HemsResolver {
  @FieldResolver(() => [Device])
  devices(@Root() hems: Hems, @Ctx() ctx: SubgraphContext<HemsLoaders>): Promise<Device[]> {
    return ctx.loaders.devices.load(hems.id);
  }
}
