/** The Transport seam: endpoints, addresses, best-effort delivery; the in-process implementation. */
export { Address, AddressInUse, type Endpoint, type Envelope, makeLocal, Transport, type TransportStats, withTrace } from "./Transport.ts"
/** The transport across processes, on `effect/rpc` sockets. */
export { RpcTransport } from "./rpc/index.ts"
/** A free TCP port on 127.0.0.1 (for loopback servers). */
export { freePort } from "./freePort.ts"
