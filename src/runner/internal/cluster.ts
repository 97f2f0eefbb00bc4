/**
 * The runner's cluster membership, assembled from public parts as `Failover.socketRunner` and
 * `SecureRunner.layer` assemble theirs, with two differences a long-lived runner needs: the
 * runner table (`RunnerStorage`) stays in the output, for the readiness check, and the listen and
 * advertised addresses are set apart (a runner behind NAT or in a container listens on 0.0.0.0
 * and advertises the address its peers dial).
 *
 * @internal
 */
import { readFileSync } from "node:fs"
import { NodeClusterSocket, NodeCrypto } from "@effect/platform-node"
import { Duration, Effect, Layer, Option, Redacted } from "effect"
import {
  RunnerAddress,
  Runners,
  RunnerStorage,
  SocketRunner,
  SqlMessageStorage,
  SqlRunnerStorage,
  ShardingConfig
} from "effect/cluster"
import { RpcSerialization } from "effect/rpc"
import { Failover, SecureRunner, type TlsCredentials, TlsCredentialsError } from "../../cluster/index.ts"
import type { FailoverPreset, RunnerSettings, TlsFiles } from "../RunnerConfig.ts"

const presets: Record<FailoverPreset, Failover.FailoverSettings> = {
  fast: Failover.fast,
  tolerant: Failover.tolerant,
  "effect-defaults": Failover.effectDefaults
}

/**
 * Reads the PEM files of `files`; fails with `TlsCredentialsError` ("unreadable").
 *
 * @since 0.1.0
 * @category utils
 */
export const readTls = (files: TlsFiles): Effect.Effect<TlsCredentials.TlsCredentials, TlsCredentialsError> =>
  Effect.try({
    try: () => ({
      ca: readFileSync(files.ca, "utf8"),
      cert: readFileSync(files.cert, "utf8"),
      key: Redacted.make(readFileSync(files.key, "utf8")),
      crl: files.crl === undefined ? undefined : readFileSync(files.crl, "utf8")
    }),
    catch: (error) => new TlsCredentialsError({ reason: "unreadable", detail: String(error) })
  })

/**
 * The sharding config of a runner with `settings`.
 *
 * @since 0.1.0
 * @category utils
 */
export const shardingConfig = (settings: RunnerSettings) =>
  ShardingConfig.layer({
    shardsPerGroup: settings.shardsPerGroup,
    runnerAddress: Option.some(RunnerAddress.make(settings.advertise.host, settings.advertise.port)),
    runnerListenAddress: Option.some(RunnerAddress.make(settings.listen.host, settings.listen.port)),
    // Stored messages of shards this runner just took (from a drained or dead runner) are found
    // within a second, not effect's default 10.
    entityMessagePollInterval: "1 second",
    // Entities get the drain deadline, less a margin for the hand-off of their shards.
    entityTerminationTimeout: Math.max(100, Math.floor(settingsMillis(settings) * 0.75)),
    ...Failover.shardingConfig(presets[settings.failover])
  })

const settingsMillis = (settings: RunnerSettings) => Duration.toMillis(settings.drainTimeout)

/**
 * Sharding, `Runners`, `MessageStorage`, `RunnerStorage` of one runner over the SQL database in
 * context: plain sockets, or mutual TLS with `tls`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (settings: RunnerSettings, tls: TlsCredentials.TlsCredentials | undefined) => {
  const failover = Failover.settings(presets[settings.failover])
  const client = tls === undefined ? NodeClusterSocket.layerClientProtocol : SecureRunner.layerClientProtocol(tls)
  const server = tls === undefined ? NodeClusterSocket.layerSocketServer : SecureRunner.layerSocketServer(tls)
  const health = Failover.runnerHealth(failover).pipe(Layer.provide(Runners.layerRpc), Layer.provide(client))
  return SocketRunner.layer.pipe(
    Layer.provide([server, client, health]),
    Layer.provideMerge(SqlMessageStorage.layer.pipe(Layer.provide(NodeCrypto.layerDigest))),
    Layer.provideMerge(Layer.orDie(SqlRunnerStorage.layer) as Layer.Layer<RunnerStorage.RunnerStorage, never, never>),
    Layer.provide(shardingConfig(settings)),
    Layer.provide(RpcSerialization.layerSchemaBinary())
  )
}
