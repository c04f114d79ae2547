import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
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

  /**
   * A subgraph answers 400 when it refuses the request itself, for instance a DateTime the
   * gateway could not check (it passes custom scalars through). That is the client's error, and
   * says why: not the gateway's "400: Bad Request", which would be masked as an internal one.
   */
  override async errorFromResponse(response: Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0]): Promise<GraphQLError> {
    const error = await super.errorFromResponse(response);
    const body = (error.extensions.response as { body?: unknown } | undefined)?.body as { errors?: { message?: unknown; extensions?: { code?: unknown } }[] } | undefined;
    const refusal = response.status === 400 ? body?.errors?.find((e) => e.extensions?.code === 'BAD_USER_INPUT' && typeof e.message === 'string') : undefined;
    return refusal ? new GraphQLError(refusal.message as string, { extensions: { code: 'BAD_USER_INPUT' } }) : error;
  }
}
