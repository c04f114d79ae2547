import type { Identity } from '../schema/identity';
import type { Logger } from '../subgraphs/kit/logger';

export interface GatewayContext {
  identity: Identity;
  requestId: string;
  log: Logger;
}
