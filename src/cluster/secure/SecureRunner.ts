/**
 * Cluster runners that authenticate each other: runner-to-runner traffic over mutual TLS.
 *
 * `SecureRunner.layer` builds the same runner as `NodeClusterSocket.layer({ storage: "sql" })`
 * (effect's RPC protocol over sockets, message and runner storage in the SQL database in
 * context, ping health checks) with both socket pieces replaced:
 *
 * - the runner's server is a `node:tls` server (`TlsSocketServer`) that requires a client
 *   certificate (`requestCert`, `rejectUnauthorized`) issued by the cluster CA, TLS 1.3 only; a
 *   connection that fails the handshake (no certificate, another CA, plain TCP, garbage) is
 *   destroyed before a single byte reaches the RPC layer, and one that does not finish it within
 *   5 s is dropped;
 * - every outgoing connection (messages, replies, health pings) is `tls.connect` with the same
 *   CA as the only trust anchor and the runner's own certificate, and checks that the peer's
 *   certificate names the host it dialled.
 *
 * What it protects: the identity of runners (only holders of a certificate from the cluster CA
 * can send to, or receive from, a runner), and the integrity and confidentiality of
 * runner-to-runner traffic (entity messages, replies, pings).
 *
 * What it does not: the SQL storage is trusted (anyone who can write to it can register a runner,
 * take shards or insert persisted messages, so protect its credentials and transport
 * separately); a runner with a valid certificate is trusted fully (there are no per-runner
 * permissions, and any certificate from the CA may act for any runner at an address it names);
 * revocation is checked only against the CRL given in `tls.crl` (no OCSP; without a CRL, rotate
 * the CA to evict a runner); messages carry no
 * end-to-end signature, so a runner that relays them could alter them (see `src/security`
 * signed envelopes for agent-level authenticity).
 *
 * @example
 * ```ts
 * const runner = SecureRunner.layer({
 *   tls: { ca, cert, key: Redacted.make(keyPem) },
 *   shardingConfig: { runnerAddress: Option.some(RunnerAddress.make("10.0.0.5", 34431)) }
 * }) // needs a SqlClient; Sharding | Runners | MessageStorage
 * ```
 *
 * @since 0.2.0
 */
import { NodeCrypto, NodeSocket } from "@effect/platform-node"
import { type Config, Effect, Layer, Option, Redacted } from "effect"
import {
  type MessageStorage,
  RunnerHealth,
  Runners,
  type Sharding,
  ShardingConfig,
  SocketRunner,
  SqlMessageStorage,
  SqlRunnerStorage
} from "effect/cluster"
import { RpcClient, RpcSerialization } from "effect/rpc"
import { Socket, SocketServer } from "effect/socket"
import type { SqlClient } from "effect/sql"
import type { ConnectionOptions, SecureContextOptions, TlsOptions } from "node:tls"
import { type TlsCredentials, type TlsCredentialsError, verify } from "./TlsCredentials.ts"
import * as TlsSocketServer from "./TlsSocketServer.ts"

/** How long a runner waits for a peer's TCP connect plus TLS handshake (as `NodeClusterSocket`). */
const OPEN_TIMEOUT = 1000
/** Idle time after which Node flags a runner connection (`socket.setTimeout`, as `NodeClusterSocket`). */
const IDLE_TIMEOUT = 5500

const secureContext = (tls: TlsCredentials): SecureContextOptions => ({
  ca: tls.ca,
  cert: tls.cert,
  key: Redacted.value(tls.key),
  minVersion: "TLSv1.3",
  ...(tls.crl === undefined ? {} : { crl: tls.crl })
})

/**
 * `node:tls` server options of a runner: client certificates from the CA required.
 *
 * @since 0.1.0
 * @category utils
 */
export const serverOptions = (tls: TlsCredentials): TlsOptions => ({
  ...secureContext(tls),
  requestCert: true,
  rejectUnauthorized: true
})

/**
 * `node:tls` connect options of a runner dialling `host:port`: the peer must present a CA certificate naming `host`.
 *
 * @since 0.1.0
 * @category utils
 */
export const connectOptions = (
  tls: TlsCredentials,
  address: { readonly host: string; readonly port: number }
): ConnectionOptions => ({
  ...secureContext(tls),
  host: address.host,
  port: address.port,
  rejectUnauthorized: true
})

/**
 * The runners' outgoing RPC protocol over mutual TLS (used for messages and health pings).
 * A peer that fails the handshake is reported to `Runners` as unavailable, like a dead one.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClientProtocol = (
  tls: TlsCredentials
): Layer.Layer<Runners.RpcClientProtocol, TlsCredentialsError, RpcSerialization.RpcSerialization> =>
  Layer.effect(Runners.RpcClientProtocol)(
    Effect.gen(function* () {
      yield* verify(tls)
      const serialization = yield* RpcSerialization.RpcSerialization
      return {
        codecFor: serialization.codecFor,
        make: Effect.fnUntraced(function* (address) {
          const socket = yield* NodeSocket.makeTls({
            ...connectOptions(tls, address),
            openTimeout: OPEN_TIMEOUT,
            timeout: IDLE_TIMEOUT
          })
          return yield* RpcClient.makeProtocolSocket().pipe(
            Effect.provideService(Socket.Socket, socket),
            Effect.provideService(RpcSerialization.RpcSerialization, serialization)
          )
        })
      }
    })
  )

/**
 * The runner's TLS socket server on `ShardingConfig.runnerListenAddress` (else `runnerAddress`);
 * closed, with its connections, when the layer's scope closes. Fails with `TlsCredentialsError`
 * if the certificate does not name the advertised runner host.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSocketServer = (
  tls: TlsCredentials
): Layer.Layer<
  SocketServer.SocketServer,
  SocketServer.SocketServerError | TlsCredentialsError,
  ShardingConfig.ShardingConfig
> =>
  Layer.unwrap(
    Effect.gen(function* () {
      const config = yield* ShardingConfig.ShardingConfig
      const listen = Option.orElse(config.runnerListenAddress, () => config.runnerAddress)
      if (Option.isNone(listen)) {
        return yield* new SocketServer.SocketServerError({
          reason: new SocketServer.SocketServerOpenError({
            cause: new Error("SecureRunner: ShardingConfig.runnerAddress is None")
          })
        })
      }
      yield* verify(tls, {
        host: Option.getOrElse(
          Option.map(config.runnerAddress, (a) => a.host),
          () => listen.value.host
        )
      })
      return TlsSocketServer.layer({ ...serverOptions(tls), host: listen.value.host, port: listen.value.port })
    })
  )

/**
 * Options of `layer` and `layerClientOnly`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecureRunnerOptions {
  /** This runner's certificate, key and the cluster CA. */
  readonly tls: TlsCredentials
  /** Overrides of the sharding config (read from the environment otherwise); `runnerAddress` is the advertised host:port. */
  readonly shardingConfig?: Partial<ShardingConfig.ShardingConfig["Service"]> | undefined
  /** Largest RPC frame accepted, in bytes (effect's default otherwise). */
  readonly maxFrameSize?: number | undefined
}

const storage = <A, E, R>(runner: Layer.Layer<A, E, R>, options: SecureRunnerOptions) =>
  runner.pipe(
    Layer.provideMerge(SqlMessageStorage.layer.pipe(Layer.provide(NodeCrypto.layerDigest))),
    Layer.provide(Layer.orDie(SqlRunnerStorage.layer)),
    Layer.provide(ShardingConfig.layerFromEnv(options.shardingConfig)),
    Layer.provide(RpcSerialization.layerSchemaBinary({ maxFrameSize: options.maxFrameSize }))
  )

/**
 * A cluster runner whose runner-to-runner traffic is mutual TLS (see the module doc), with
 * cluster storage in the SQL database in context. Its server and connections close with its scope.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: SecureRunnerOptions
): Layer.Layer<
  Sharding.Sharding | Runners.Runners | MessageStorage.MessageStorage,
  SocketServer.SocketServerError | Config.ConfigError | TlsCredentialsError,
  SqlClient.SqlClient
> => {
  const client = layerClientProtocol(options.tls)
  const health = RunnerHealth.layerPing.pipe(Layer.provide(Runners.layerRpc), Layer.provide(client))
  return storage(
    SocketRunner.layer.pipe(Layer.provide([layerSocketServer(options.tls), client]), Layer.provide(health)),
    options
  )
}

/**
 * A client-only member of a secure cluster: it sends to agents on the runners over mutual TLS
 * and hosts none. It needs a certificate from the cluster CA too.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClientOnly = (
  options: SecureRunnerOptions
): Layer.Layer<
  Sharding.Sharding | Runners.Runners | MessageStorage.MessageStorage,
  Config.ConfigError | TlsCredentialsError,
  SqlClient.SqlClient
> => storage(SocketRunner.layerClientOnly.pipe(Layer.provide(layerClientProtocol(options.tls))), options)
