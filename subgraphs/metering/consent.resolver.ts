import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { BadUserInputError, NotFoundError } from '../../schema/errors';
import { parsePage, toConnection } from '../kit/connection';
import type { SubgraphContext } from '../kit/context';
import { isConsentKey, type ConsentRow } from './consent.repo';
import { consentHolderProblem, consentProblems, consentScopes } from './consent.rules';
import { Consent, ConsentConnection, ConsentsArgs, GrantConsentInput } from './consent.type';
import type { MeteringLoaders } from './metering.loader';

type Context = SubgraphContext<MeteringLoaders>;

@Resolver(() => Consent)
export class ConsentResolver {
  @Authorized('consent:manage')
  @Mutation(() => Consent, {
    description: "A customer's consent for an aggregator or researcher to read its point's data of [from, to), or for its retailer to see its HEMS (hems:read). A customer key grants for its own point; the DSO on a customer's behalf.",
  })
  async grantConsent(@Arg('input', () => GrantConsentInput) input: GrantConsentInput, @Ctx() ctx: Context): Promise<ConsentRow> {
    const problems = consentProblems({ scopes: input.scopes, fromMs: input.from.getTime(), toMs: input.to.getTime() }, Date.now());
    if (problems.length > 0) throw new BadUserInputError(problems.join('; '));
    const { consents } = ctx.loaders;
    // consent:manage is the DSO's (any point) and a customer's, whose key sees its own point only:
    // any other is "not found", as if it did not exist.
    if (!(await ctx.loaders.meteringPoint.load(input.meteringPointId))) throw new NotFoundError('Metering point');
    const holderProblem = consentHolderProblem(await consents.organisationKind(input.organisationId), input.scopes);
    if (holderProblem) throw new BadUserInputError(holderProblem, { field: 'organisationId' });
    return consents.grant(
      { meteringPointId: input.meteringPointId, organisationId: input.organisationId, scopes: consentScopes(input.scopes), from: input.from, to: input.to },
      ctx,
    );
  }

  @Authorized('consent:manage')
  @Mutation(() => Consent, { description: 'Withdraws a consent; it stops applying with the next request, open sockets included' })
  revokeConsent(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<ConsentRow> {
    return ctx.loaders.consents.revoke(id, ctx);
  }

  @Authorized('consent:manage', 'metering:read')
  @Query(() => ConsentConnection, {
    description: "Consents you may see, newest first: a customer its point's, the DSO all, an aggregator or researcher those granted to it",
  })
  async consents(@Args(() => ConsentsArgs) args: ConsentsArgs, @Ctx() ctx: Context) {
    const page = parsePage(args, isConsentKey);
    const { rows, totalCount } = await ctx.loaders.consents.page(ctx.identity, args.meteringPointId ?? null, page);
    return toConnection(rows, page, totalCount, (row) => row.cursorKey);
  }
}
