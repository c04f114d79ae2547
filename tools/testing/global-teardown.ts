export default async function globalTeardown(): Promise<void> {
  await globalThis.__marketHubTestPostgres?.stop();
  await globalThis.__marketHubTestNats?.stop();
}
