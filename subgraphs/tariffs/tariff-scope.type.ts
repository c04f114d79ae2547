import { Field, ID, InputType } from 'type-graphql';
import { MAX_POINT_DAYS } from './tariff-sample.rules';

/** What peakHours and compareSchemes are computed on (tariff-scope.rules.ts reads it). */
@InputType({
  description:
    'Exactly one of the fields. Only the DSO may ask for anything; an area goes to others only when it passes the aggregate rule ' +
    '(enough metering points other than their own: the whole area is refused otherwise), a set of points only to a party that may read each of them one by one.',
})
export class TariffScopeInput {
  @Field(() => Boolean, { nullable: true, description: 'The whole network' })
  network?: boolean;

  @Field(() => ID, { nullable: true })
  primarySubstationId?: string;

  @Field(() => ID, { nullable: true })
  secondarySubstationId?: string;

  @Field(() => ID, { nullable: true })
  feederId?: string;

  @Field(() => [ID], {
    nullable: true,
    description: `A set of metering points, at most 5,000: only points you may read one by one, over the periods you may read them; their readings are read one by one, at most ${MAX_POINT_DAYS.toLocaleString('en')} point-days (points × local days of the window)`,
  })
  meteringPointIds?: string[];

  @Field(() => Boolean, { nullable: true, description: "A retailer's own portfolio: every point it supplied in the window, while it supplied it (retailers only)" })
  retailerPortfolio?: boolean;
}
