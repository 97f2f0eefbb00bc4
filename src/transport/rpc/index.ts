/**
 * The transport across processes, on `effect/rpc` sockets.
 *
 * @since 0.2.0
 */
export * as RpcTransport from "./RpcTransport.ts"
