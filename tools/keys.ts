import { Command, InvalidArgumentError } from 'commander';
import { ApiKeyRequestError, ApiKeysRepo, isRole } from '../gateway/api-keys.repo';
import { effectiveScopes, ROLE_SCOPES, scopesForNewKey } from '../schema/access';
import { ROLES, type Role } from '../schema/identity';
import { openDatabase, type DatabaseHandle } from '../subgraphs/kit/db';
import { applyMigrations } from '../subgraphs/kit/migrate';
import { embeddedDatabaseUrl } from './local-data';

function parseRole(value: string): Role {
  if (!isRole(value)) throw new InvalidArgumentError(`expected one of ${ROLES.join(', ')}`);
  return value;
}

function parseScopes(value: string): string[] {
  const scopes = value
    .split(',')
    .map((scope) => scope.trim())
    .filter(Boolean);
  // A key without scopes can do nothing: an empty list is a mistake (an unset variable in a script), not a request.
  if (scopes.length === 0) throw new InvalidArgumentError("expected at least one scope (leave --scopes out for the role's default set)");
  return scopes;
}

function parseDate(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError('expected an ISO 8601 date');
  return date;
}

async function withRepo<T>(work: (repo: ApiKeysRepo) => Promise<T>): Promise<T> {
  const handle: DatabaseHandle = openDatabase(process.env.DATABASE_URL ?? embeddedDatabaseUrl(), { max: 2 });
  try {
    await applyMigrations(handle);
    return await work(new ApiKeysRepo(handle.db));
  } finally {
    await handle.close();
  }
}

const program = new Command()
  .name('keys')
  .description('Manage Market Hub API keys (DATABASE_URL, or the embedded database of `npm start`)')
  .showHelpAfterError();

program
  .command('create')
  .description('Create a key and print it (only the key) on stdout; it is shown this once')
  .requiredOption('--name <name>', 'what the key is for')
  .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`, parseRole)
  .requiredOption('--org <organisationId>', "organisation id (the DSO is 'dso'; a retailer's is its retailerId; a customer's is its metering point, CPE; a HEMS's is its HEMS id)")
  .option('--scopes <a,b>', "comma-separated scopes, within the role's (default: all of the role's; see `keys scopes`)", parseScopes)
  .option('--expires <date>', 'expiry date (ISO 8601)', parseDate)
  .action(async (options: { name: string; role: Role; org: string; scopes?: string[]; expires?: Date }) => {
    // Checked before the database is opened (or migrated): a typo fails at once, wherever the database is.
    const granted = scopesForNewKey(options.role, options.scopes);
    if ('problems' in granted) throw new ApiKeyRequestError(granted.problems.join('; '));
    const { key } = await withRepo((repo) =>
      repo.create({ name: options.name, organisationId: options.org, role: options.role, scopes: granted.scopes, expiresAt: options.expires }),
    );
    process.stdout.write(`${key}\n`);
  });

program
  .command('scopes')
  .description("Print each role's scopes: its default set, and the most a key of that role may have")
  .action(() => {
    for (const role of ROLES) process.stdout.write(`${role.padEnd(11)} ${ROLE_SCOPES[role].join(' ')}\n`);
  });

program
  .command('list')
  .description('List keys (ids and display prefixes, never the keys) with the scopes each one has')
  .option('--json', 'one JSON array on stdout')
  .action(async (options: { json?: boolean }) => {
    const records = await withRepo((repo) => repo.list());
    if (options.json) {
      process.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
      return;
    }
    for (const record of records) {
      const state = record.revokedAt ? 'revoked' : record.expiresAt && record.expiresAt < new Date() ? 'expired' : 'active';
      // What the key may do (aliases resolved, cut to its role), as `create --scopes` takes them.
      const scopes = isRole(record.role) ? effectiveScopes(record.role, record.scopes) : record.scopes;
      process.stdout.write(
        [record.id, `${record.displayPrefix}…`, record.role, record.organisationId, state, scopes.join(',') || '(no scopes)', record.lastUsedAt?.toISOString() ?? 'never used', record.name].join('\t') +
          '\n',
      );
    }
  });

program
  .command('revoke')
  .description('Revoke a key by id; open connections using it are closed')
  .argument('<keyId>')
  .action(async (keyId: string) => {
    if (!(await withRepo((repo) => repo.revoke(keyId)))) program.error(`No active key ${keyId}`);
    process.stderr.write(`Revoked ${keyId}\n`);
  });

program
  .command('rotate')
  .description('Revoke a key and print a new one with the same name, organisation, role and scopes')
  .argument('<keyId>')
  .action(async (keyId: string) => {
    const rotated = await withRepo((repo) => repo.rotate(keyId));
    if (!rotated) return program.error(`No active key ${keyId}`);
    process.stdout.write(`${rotated.key}\n`);
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
