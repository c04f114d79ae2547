/**
 * Every WebSocket close code the hub uses. 44xx mirror the HTTP statuses clients already know
 * and match graphql-ws's own codes where the meaning is the same.
 */
export enum HubCloseCode {
  /** Server shutting down; reconnect (with `after` for subscriptions). */
  GoingAway = 1001,
  /** No key, or a key that is unknown, revoked or expired at connection time. */
  Unauthenticated = 4401,
  /** The key was revoked or expired while the socket was open. */
  KeyRevoked = 4403,
  /** More was queued for the socket than the limit: reconnect and resubscribe with `after`. */
  SlowConsumer = 4413,
}
