import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  // Every table file but metering-readings.ts and hems-telemetry.ts, whose partitioned tables are written by hand.
  schema: ['hub', 'metering', 'grid', 'grid-constraints', 'grid-power-flow', 'tariffs', 'flexibility', 'hems'].map((name) => `./schema/tables/${name}.ts`),
  out: './migrations',
  schemaFilter: ['hub', 'metering', 'grid', 'tariffs', 'flexibility', 'hems'],
});
