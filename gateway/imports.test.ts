import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');

/** Every project file a module reaches through its imports, transitively (packages are not followed). */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const base = path.resolve(path.dirname(file), fileName);
      const resolved = [`${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')].find(existsSync);
      if (resolved) visit(resolved);
    }
  };
  visit(entry);
  return seen;
}

describe('the gateway runs apart from the subgraphs', () => {
  it('imports no subgraph: only the contracts in schema/ and the shared kit', () => {
    const files = [...reachable(path.join(ROOT, 'gateway/main.ts'))].map((file) => path.relative(ROOT, file));
    const subgraphCode = files.filter((file) => file.startsWith('subgraphs/') && !file.startsWith('subgraphs/kit/'));
    expect(subgraphCode).toEqual([]);
    // The kit files it uses are infrastructure (database, logging, events), none of type-graphql's schema building.
    const kit = files.filter((file) => file.startsWith('subgraphs/kit/'));
    for (const file of kit) expect(readFileSync(path.join(ROOT, file), 'utf8')).not.toMatch(/from 'type-graphql'|reflect-metadata/);
  });
});
