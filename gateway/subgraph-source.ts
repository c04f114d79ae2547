import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { IDENTITY_HEADER, REQUEST_ID_HEADER, signIdentity } from '../schema/identity';
import type { GatewayContext } from './context';

/** Calls one subgraph, handing it the caller's identity signed for this subgraph and this operation only. */
export class SignedSubgraphSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraph: string,
    url: string,
    private readonly identitySecret: string,
    private readonly identityTtlMs: number,
  ) {
    super({ url });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    // Health checks and schema loads carry no caller; subgraphs refuse them, which is what we want.
    const { identity, requestId } = context as Partial<GatewayContext>;
    if (!identity || !requestId) return;
    request.http?.headers.set(IDENTITY_HEADER, signIdentity(this.identitySecret, { identity, requestId }, this.subgraph, this.identityTtlMs));
    request.http?.headers.set(REQUEST_ID_HEADER, requestId);
  }
}
