import { Args, Authorized, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { PageArgs, parsePage, toConnection } from '../kit/connection';
import type { SubgraphContext } from '../kit/context';
import type { GridLoaders } from './grid.loader';
import { BusConnection, LineCode, LineSegment, LineSegmentConnection } from './network-model.type';
import { Feeder } from './secondary-substation.type';

type Context = SubgraphContext<GridLoaders>;

// The network's topology is public infrastructure: any verified key reads it.
@Resolver(() => Feeder)
export class FeederNetworkResolver {
  @Authorized()
  @FieldResolver(() => LineSegmentConnection, { description: 'The segments of the feeder, by id' })
  async lineSegments(@Root() feeder: Feeder, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: Context) {
    const page = parsePage(args);
    const { rows, totalCount } = await ctx.loaders.feederSegments(page).load(feeder.id);
    return toConnection(rows, page, totalCount, (row) => row.id);
  }

  @Authorized()
  @FieldResolver(() => BusConnection, { description: "The buses the feeder's segments feed, by id (the LV board is the substation's)" })
  async buses(@Root() feeder: Feeder, @Args(() => PageArgs) args: PageArgs, @Ctx() ctx: Context) {
    const page = parsePage(args);
    const { rows, totalCount } = await ctx.loaders.feederBuses(page).load(feeder.id);
    return toConnection(rows, page, totalCount, (row) => row.id);
  }
}

@Resolver(() => LineSegment)
export class LineSegmentResolver {
  @Authorized()
  @FieldResolver(() => LineCode)
  async lineCode(@Root() segment: LineSegment, @Ctx() ctx: Context): Promise<LineCode> {
    const code = await ctx.loaders.lineCode.load(segment.lineCode);
    // line_segments.line_code is a foreign key: the code exists.
    return code!;
  }
}
