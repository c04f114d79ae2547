import type DataLoader from 'dataloader';
import type { RequestScope } from '../kit/context';
import { groupedLoader, keyedLoader } from '../kit/loader';
import { GridConstraintRepo, type GridConstraintRow } from './grid-constraint.repo';

export interface GridConstraintLoaders {
  gridConstraints: GridConstraintRepo;
  /** Constraints by id, those the caller may see only (grid-area.sql.ts). */
  gridConstraint: DataLoader<string, GridConstraintRow | null>;
  /** The constraints of each power-flow run, those the caller may see only. */
  runConstraints: DataLoader<string, GridConstraintRow[]>;
}

export function createGridConstraintLoaders({ database, identity }: RequestScope): GridConstraintLoaders {
  const gridConstraints = new GridConstraintRepo(database.db);
  return {
    gridConstraints,
    gridConstraint: keyedLoader((ids) => gridConstraints.byIds(identity, ids), (row) => row.id),
    // Every row of ofRuns has a run id: it filters on it.
    runConstraints: groupedLoader((ids) => gridConstraints.ofRuns(identity, ids), (row) => row.powerFlowRunId!),
  };
}
