import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../schema/errors';
import { parsePage, toConnection } from '../kit/connection';
import type { SubgraphContext } from '../kit/context';
import { issueHemsCommand, reportHemsCommandOutcome } from './hems-command.command';
import { commandKey, isCommandKey, type HemsCommandRow } from './hems-command.repo';
import { HemsCommand, HemsCommandConnection, HemsCommandsArgs, IssueHemsCommandInput, ReportHemsCommandOutcomeInput } from './hems-command.type';
import type { HemsLoaders } from './hems.loader';
import { Device, Hems } from './hems.type';

type Context = SubgraphContext<HemsLoaders>;

@Resolver(() => HemsCommand)
export class HemsCommandResolver {
  @Authorized('hems:read')
  @Query(() => HemsCommand, { nullable: true, description: 'One command; NOT_FOUND when there is none or you neither sent it nor are the customer of its HEMS (the DSO: unless it was sent for a flex order)' })
  async hemsCommand(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<HemsCommandRow> {
    const command = await ctx.loaders.hemsCommand.load(id);
    if (!command) throw new NotFoundError('HEMS command');
    return command;
  }

  @Authorized('hems:read')
  @Query(() => HemsCommandConnection, { description: 'The commands you sent (a customer: those sent to its HEMS; the DSO: those sent for flex orders), newest first' })
  async hemsCommands(@Args(() => HemsCommandsArgs) args: HemsCommandsArgs, @Ctx() ctx: Context) {
    const page = parsePage(args, isCommandKey);
    const { rows, totalCount } = await ctx.loaders.hemsCommandRepo.page(args.hemsId ?? null, page);
    for (const row of rows) ctx.loaders.hemsCommand.prime(row.id, row);
    return toConnection(rows, page, totalCount, commandKey);
  }

  @Authorized('hems:control')
  @Mutation(() => HemsCommand, {
    description:
      'Retailer or aggregator: ask a HEMS shared with you to SHIFT, CURTAIL or RESTORE a load, for an order. Its outcome, as the HEMS reports it ' +
      '(or EXPIRED when it does not answer by expiresAt), is pushed to you as a HEMS_COMMAND event. CONFLICT for a flex order when the household is ' +
      'already held for another flex order over an overlapping period: a reduction is sold once.',
  })
  async issueHemsCommand(@Arg('input', () => IssueHemsCommandInput) input: IssueHemsCommandInput, @Ctx() ctx: Context): Promise<HemsCommandRow> {
    return issueHemsCommand(ctx.db, { ...input, deviceId: input.deviceId ?? null, targetPowerKw: input.targetPowerKw ?? null, expiresAt: input.expiresAt ?? null }, ctx);
  }

  // The HEMS's own key reports what it did; so may the platform that sent the command, relaying the HEMS's answer.
  @Authorized('hems:report', 'hems:control')
  @Mutation(() => HemsCommand, { description: "A HEMS's key, or the platform that sent the command: what the HEMS did with it; pushed to the sender" })
  async reportHemsCommandOutcome(@Arg('input', () => ReportHemsCommandOutcomeInput) input: ReportHemsCommandOutcomeInput, @Ctx() ctx: Context): Promise<HemsCommandRow> {
    return reportHemsCommandOutcome(ctx.db, { ...input, at: input.at ?? null, detail: input.detail ?? null }, ctx);
  }

  // A HEMS's key may read back the command it reports on, but nothing of the household through it.
  @Authorized('hems:read')
  @FieldResolver(() => Hems, { nullable: true, description: 'Null once you may no longer see the HEMS (it is no longer shared with you)' })
  hems(@Root() command: HemsCommandRow, @Ctx() ctx: Context): Promise<Hems | null> {
    return ctx.loaders.hems.load(command.hemsId);
  }

  @Authorized('hems:read')
  @FieldResolver(() => Device, { nullable: true, description: 'The device it acts on; null for the whole HEMS, or once you may no longer see the HEMS' })
  async device(@Root() command: HemsCommandRow, @Ctx() ctx: Context): Promise<Device | null> {
    if (command.deviceId === null || !(await ctx.loaders.hems.load(command.hemsId))) return null;
    return (await ctx.loaders.devices.load(command.hemsId)).find((device) => device.id === command.deviceId) ?? null;
  }
}
