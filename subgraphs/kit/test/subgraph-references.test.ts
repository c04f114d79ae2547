import { SUBGRAPHS } from '../../index';
import { tariffsSubgraph } from '../../tariffs';
import { buildFederatedSchema } from '../subgraph';

const SHARES_OF_METERING_POINT = [SUBGRAPHS.grid, SUBGRAPHS.tariffs, SUBGRAPHS.hems];

/**
 * A subgraph with a resolvable entity and nothing to resolve it would have the federation
 * library hand every reference back as it came, unchecked: the kit refuses to build it. A share
 * of MeteringPoint gets its reference check from the kit (meteringPointScope), not its own code.
 */
describe('buildFederatedSchema', () => {
  it('refuses a share of MeteringPoint that declares no meteringPointScope', async () => {
    for (const subgraph of SHARES_OF_METERING_POINT) {
      await expect(buildFederatedSchema({ ...subgraph, meteringPointScope: undefined })).rejects.toThrow(`Subgraph ${subgraph.name} resolves no reference to MeteringPoint`);
    }
  });

  it('refuses a MeteringPoint resolved both by the kit and by the subgraph itself', async () => {
    const own = { MeteringPoint: { __resolveReference: (reference: { id: string }) => reference } };
    await expect(buildFederatedSchema({ ...tariffsSubgraph, references: own })).rejects.toThrow(/declares meteringPointScope and resolves MeteringPoint itself/);
  });

  it('builds every subgraph as it is', async () => {
    for (const subgraph of Object.values(SUBGRAPHS)) await expect(buildFederatedSchema(subgraph)).resolves.toBeDefined();
  });
});
