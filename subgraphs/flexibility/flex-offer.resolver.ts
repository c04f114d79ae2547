import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { ForbiddenError } from '../../schema/errors';
import type { SubgraphContext } from '../kit/context';
import type { FlexibilityLoaders } from './flexibility.loader';
import { revokeFlexOffer, submitFlexOffer } from './flex-offer.command';
import { FlexOffer, SubmitFlexOfferInput } from './flex-offer.type';
import { FlexOrder } from './flex-order.type';
import type { FlexRequestRow } from './flex-request.repo';
import { FlexRequest, FlexSufficiencyIsp } from './flex-request.type';
import { sufficiency } from './flex-sufficiency.rules';

type Context = SubgraphContext<FlexibilityLoaders>;

@Resolver(() => FlexOffer)
export class FlexOfferResolver {
  @Authorized('flex:trade')
  @Mutation(() => FlexOffer, {
    description:
      "Retailer or aggregator: offer your customers' flexibility for a request published to you, per ISP at most what your shared HEMS behind its " +
      'congestion point can take off (less your other open offers to it). The same idempotencyKey answers with the first offer. Pushed as FLEX_OFFER SUBMITTED.',
  })
  submitFlexOffer(@Arg('input', () => SubmitFlexOfferInput) input: SubmitFlexOfferInput, @Ctx() ctx: Context): Promise<FlexOffer> {
    const draft = {
      flexRequestId: input.flexRequestId,
      isps: input.isps.map((isp) => ({ startMs: isp.start.getTime(), kw: isp.kw })),
      priceEurPerKwh: input.priceEurPerKwh,
      expiresAtMs: input.expiresAt.getTime(),
      idempotencyKey: input.idempotencyKey,
    };
    return submitFlexOffer(ctx.db, draft, ctx);
  }

  @Authorized('flex:trade')
  @Mutation(() => FlexOffer, { description: 'The offerer: withdraw its open offer (not once ordered). Pushed as FLEX_OFFER REVOKED.' })
  revokeFlexOffer(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<FlexOffer> {
    return revokeFlexOffer(ctx.db, id, ctx);
  }

  @FieldResolver(() => FlexRequest, { nullable: true, description: 'Null once you may no longer see the request' })
  flexRequest(@Root() offer: FlexOffer, @Ctx() ctx: Context): Promise<FlexRequestRow | null> {
    return ctx.loaders.flexRequest.load(offer.flexRequestId);
  }

  @FieldResolver(() => FlexOrder, { nullable: true, description: 'Its order, once the DSO has ordered it' })
  order(@Root() offer: FlexOffer, @Ctx() ctx: Context): Promise<FlexOrder | null> {
    return ctx.loaders.offerOrder.load(offer.id);
  }
}

@Resolver(() => FlexRequest)
export class FlexRequestOffersResolver {
  @FieldResolver(() => [FlexOffer], { description: 'The DSO: every offer; an offerer: its own; anyone else: none. Oldest first, every revision.' })
  offers(@Root() request: FlexRequestRow, @Ctx() ctx: Context): Promise<FlexOffer[]> {
    return ctx.loaders.requestOffers.load(request.id);
  }

  @FieldResolver(() => [FlexSufficiencyIsp], {
    description: "The DSO only (it sums competitors' offers): per ISP, the current revision's open and ordered offers against the minimum, to the watt",
  })
  async sufficiency(@Root() request: FlexRequestRow, @Ctx() ctx: Context): Promise<FlexSufficiencyIsp[]> {
    if (ctx.identity.role !== 'dso') throw new ForbiddenError("Sufficiency is the DSO's: it sums every offerer's offers");
    const [isps, offers] = await Promise.all([ctx.loaders.flexRequestIsps.load(request.id), ctx.loaders.countedOffers.load(request.id)]);
    return sufficiency(
      isps.map((isp) => ({ startMs: isp.start.getTime(), minKw: isp.minKw })),
      offers,
    ).map((isp) => ({ start: new Date(isp.startMs), minKw: isp.minKw, offeredKw: isp.offeredKw, shortfallKw: isp.shortfallKw }));
  }
}
