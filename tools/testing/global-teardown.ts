import { Client } from 'pg';
import { TEST_ADMIN_URL_ENV, TEST_TEMPLATE_ENV } from './test-database';

export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env[TEST_ADMIN_URL_ENV];
  const template = process.env[TEST_TEMPLATE_ENV];
  if (adminUrl && template) {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
  await globalThis.__marketHubTestPostgres?.stop();
  await globalThis.__marketHubTestNats?.stop();
}
