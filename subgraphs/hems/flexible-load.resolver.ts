import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../schema/errors';
import type { SubgraphContext } from '../kit/context';
import { FlexibleLoad, SetFlexibleLoadsInput } from './flexible-load.type';
import type { HemsLoaders } from './hems.loader';
import { Device, Hems } from './hems.type';

type Context = SubgraphContext<HemsLoaders>;

@Resolver(() => FlexibleLoad)
export class FlexibleLoadResolver {
  // hems:read is the customer's only HEMS scope; who may set the conditions beyond that is the
  // row rule mayConditionHems (the customer, or the retailer it shares the HEMS with).
  @Authorized('hems:read')
  @Mutation(() => Hems, {
    description:
      "The customer, or the retailer it shares its HEMS with on its behalf: replace the HEMS's whole set of flexible loads (a device not listed is no longer flexible). " +
      'Every problem of the set is refused at once, naming the item (loads[1].earliestStart), and nothing is written.',
  })
  async setFlexibleLoads(@Arg('input', () => SetFlexibleLoadsInput) input: SetFlexibleLoadsInput, @Ctx() ctx: Context): Promise<Hems> {
    await ctx.loaders.flexibleLoadRepo.replace(input.hemsId, input.loads, ctx);
    ctx.loaders.flexibleLoads.clear(input.hemsId);
    const hems = await ctx.loaders.hems.load(input.hemsId);
    // Only if the sharing ended in the instant since the replacement.
    if (!hems) throw new NotFoundError('HEMS');
    return hems;
  }

  @FieldResolver(() => Device)
  async device(@Root() load: FlexibleLoad, @Ctx() ctx: Context): Promise<Device> {
    const device = (await ctx.loaders.devices.load(load.hemsId)).find((candidate) => candidate.id === load.deviceId);
    // The foreign key and the HEMS check of setFlexibleLoads keep a load on a device of its own HEMS.
    if (!device) throw new Error(`flexible load ${load.id} names device ${load.deviceId}, not one of HEMS ${load.hemsId}'s`);
    return device;
  }
}

// These two need no scope of their own, like Hems.devices: every path to a HEMS or a device already needs hems:read.
@Resolver(() => Hems)
export class HemsFlexibleLoadsResolver {
  @FieldResolver(() => [FlexibleLoad], { description: "The customer's conditions, by priority" })
  flexibleLoads(@Root() hems: Hems, @Ctx() ctx: Context): Promise<FlexibleLoad[]> {
    return ctx.loaders.flexibleLoads.load(hems.id);
  }
}

@Resolver(() => Device)
export class DeviceFlexibleLoadResolver {
  @FieldResolver(() => FlexibleLoad, { nullable: true, description: "The customer's conditions for this device; null when it is not flexible" })
  async flexibleLoad(@Root() device: Device, @Ctx() ctx: Context): Promise<FlexibleLoad | null> {
    return (await ctx.loaders.flexibleLoads.load(device.hemsId)).find((load) => load.deviceId === device.id) ?? null;
  }
}
