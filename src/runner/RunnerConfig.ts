/**
 * The settings of one runner process (`mabeam runner`, `Runner.layer`), read from flags and
 * `MABEAM_*` environment variables and checked all at once: a runner that cannot start says, in
 * one `RunnerConfigError`, every setting that is wrong, with its value and what was expected.
 *
 * A flag wins over its environment variable; a setting given by neither takes its default.
 * `SETTINGS` lists every setting with its flag, its variable and its default: the CLI, the
 * deployment recipes in `deploy/` and the README are kept in step with it by tests.
 *
 * @since 0.4.0
 */
import { existsSync, statSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { Duration, Effect, Schema } from "effect"

/**
 * One wrong setting: which, the value given, and what it should be.
 *
 * @since 0.1.0
 * @category models
 */
export class ConfigIssue extends Schema.Class<ConfigIssue>("mabeam/runner/ConfigIssue")({
  setting: Schema.String,
  value: Schema.String,
  expected: Schema.String
}) {}

/**
 * The runner's settings are wrong; `issues` names every bad value (not only the first).
 *
 * @since 0.1.0
 * @category errors
 */
export class RunnerConfigError extends Schema.TaggedError<RunnerConfigError>()("RunnerConfigError", {
  issues: Schema.Array(ConfigIssue)
}) {
  override get message(): string {
    return (
      `the runner cannot start, ${this.issues.length} setting(s) are wrong:\n` +
      this.issues.map((i) => `  ${i.setting} = ${JSON.stringify(i.value)}: expected ${i.expected}`).join("\n")
    )
  }
}

/**
 * A host and port.
 *
 * @since 0.1.0
 * @category models
 */
export interface HostPort {
  readonly host: string
  readonly port: number
}

/**
 * How the runner writes its logs: `auto` is JSON when stdout is not a terminal, pretty otherwise.
 *
 * @since 0.1.0
 * @category models
 */
export type LogFormat = "auto" | "json" | "pretty"

/**
 * The failover preset (see `Failover` in `mabeam/cluster`).
 *
 * @since 0.1.0
 * @category models
 */
export type FailoverPreset = "fast" | "tolerant" | "effect-defaults"

/**
 * The PEM files of a runner in a mutually authenticated cluster.
 *
 * @since 0.1.0
 * @category models
 */
export interface TlsFiles {
  readonly ca: string
  readonly cert: string
  readonly key: string
  readonly crl: string | undefined
}

/**
 * The checked settings of a runner.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunnerSettings {
  /** Runner name in logs and metrics. */
  readonly name: string
  /** The cluster's storage: a SQLite file path or a `postgres://` URL (see `ClusterStorage`). */
  readonly storage: string
  /** Where the runner's socket server listens. */
  readonly listen: HostPort
  /** The address the other runners dial (the one stored in the runner table). */
  readonly advertise: HostPort
  /** Absolute path of the module whose exports are the `ClusterAgent`s to host. */
  readonly agents: string
  /** Where `/healthz`, `/readyz` and `/metrics` are served. */
  readonly health: HostPort
  /** How long a drain (SIGTERM) may take before the process gives up and exits 1. */
  readonly drainTimeout: Duration.Duration
  /** Failover settings preset. */
  readonly failover: FailoverPreset
  /** Shards per group; must be the same on every runner of a cluster. */
  readonly shardsPerGroup: number
  /** Mutual TLS between runners, when given. */
  readonly tls: TlsFiles | undefined
  /** Log format. */
  readonly logFormat: LogFormat
  /** Minimum log level. */
  readonly logLevel: "Trace" | "Debug" | "Info" | "Warn" | "Error"
}

/**
 * One setting: its flag (`--listen`), its environment variable and its default, for docs and checks.
 *
 * @since 0.1.0
 * @category models
 */
export interface SettingSpec {
  readonly key: string
  readonly flag: string
  readonly env: string
  readonly default: string | undefined
  readonly description: string
}

const spec = (key: string, flag: string, fallback: string | undefined, description: string): SettingSpec => ({
  key,
  flag,
  env: `MABEAM_${flag.toUpperCase().replaceAll("-", "_")}`,
  default: fallback,
  description
})

/**
 * Every setting of a runner, in the order `mabeam runner --help` shows them.
 *
 * @since 0.1.0
 * @category constants
 */
export const SETTINGS: ReadonlyArray<SettingSpec> = [
  spec(
    "storage",
    "storage",
    undefined,
    "the cluster's storage: a SQLite file path (one machine) or a postgres:// URL (required)"
  ),
  spec(
    "agents",
    "agents",
    undefined,
    "path of the module whose exports are the ClusterAgents this runner hosts (required)"
  ),
  spec("listen", "listen", "127.0.0.1:34431", "host:port the runner's socket server listens on"),
  spec(
    "advertise",
    "advertise",
    undefined,
    "host:port the other runners dial (default: --listen; required when it listens on 0.0.0.0 or ::)"
  ),
  spec("health", "health", "127.0.0.1:9464", "host:port of /healthz, /readyz and /metrics"),
  spec("name", "name", undefined, "runner name in logs and metrics (default: runner-<advertised host:port>)"),
  spec(
    "drainTimeout",
    "drain-timeout",
    "20 seconds",
    "how long a drain on SIGTERM may take before the process exits 1"
  ),
  spec("failover", "failover", "fast", "failover preset: fast, tolerant or effect-defaults"),
  spec("shardsPerGroup", "shards-per-group", "300", "shards per group, the same on every runner of the cluster"),
  spec(
    "tlsCa",
    "tls-ca",
    undefined,
    "PEM file of the cluster CA (mutual TLS between runners; with --tls-cert and --tls-key)"
  ),
  spec(
    "tlsCert",
    "tls-cert",
    undefined,
    "PEM file of this runner's certificate, issued by the CA, naming the advertised host"
  ),
  spec("tlsKey", "tls-key", undefined, "PEM file of this runner's private key"),
  spec("tlsCrl", "tls-crl", undefined, "PEM file of the CA's revocation list (optional)"),
  spec("logFormat", "log-format", "auto", "log format: auto (JSON when stdout is not a terminal), json or pretty"),
  spec("logLevel", "log-level", "Info", "minimum log level: Trace, Debug, Info, Warn or Error")
]

/**
 * Raw settings by key (`SettingSpec.key`), as strings; `undefined` where not given.
 *
 * @since 0.1.0
 * @category models
 */
export type RawSettings = Readonly<Record<string, string | undefined>>

/**
 * Merges flags over the environment: for each setting, the flag's value if given, else the value
 * of its `MABEAM_*` variable (an empty variable counts as not set).
 *
 * @since 0.1.0
 * @category utils
 */
export const merge = (flags: RawSettings, env: Readonly<Record<string, string | undefined>>): RawSettings =>
  Object.fromEntries(
    SETTINGS.map((s) => {
      const fromEnv = env[s.env]
      return [s.key, flags[s.key] ?? (fromEnv === undefined || fromEnv === "" ? undefined : fromEnv)]
    })
  )

const parseHostPort = (text: string): HostPort | undefined => {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim())
  if (match === null) return undefined
  const port = Number(match[3])
  const host = match[1] ?? match[2]!
  return port >= 0 && port <= 65535 && host.length > 0 ? { host, port } : undefined
}

const wildcard = (host: string) => host === "0.0.0.0" || host === "::"

/**
 * Checks raw settings (already merged, see `merge`) and returns the settings, or fails with a
 * `RunnerConfigError` listing every bad value. File settings are resolved against `cwd` and must
 * exist; a SQLite file may be new, but its directory must exist.
 *
 * @since 0.1.0
 * @category utils
 */
export const decode = (
  raw: RawSettings,
  cwd: string = process.cwd()
): Effect.Effect<RunnerSettings, RunnerConfigError> =>
  Effect.suspend(() => {
    const issues: Array<ConfigIssue> = []
    const bad = (key: string, value: string, expected: string) => {
      const s = SETTINGS.find((x) => x.key === key)!
      issues.push(new ConfigIssue({ setting: `--${s.flag} / ${s.env}`, value, expected }))
    }
    const value = (key: string): string | undefined => raw[key] ?? SETTINGS.find((s) => s.key === key)?.default
    const required = (key: string, expected: string): string | undefined => {
      const v = value(key)
      if (v === undefined || v.trim() === "") bad(key, v ?? "", expected)
      return v === undefined || v.trim() === "" ? undefined : v.trim()
    }
    const hostPort = (key: string, allowZero: boolean): HostPort | undefined => {
      const v = value(key)
      if (v === undefined) return undefined
      const parsed = parseHostPort(v)
      if (parsed === undefined || (!allowZero && parsed.port === 0)) {
        bad(key, v, `host:port with a port from ${allowZero ? 0 : 1} to 65535, e.g. 127.0.0.1:34431`)
        return undefined
      }
      return parsed
    }
    const file = (key: string): string | undefined => {
      const v = value(key)
      if (v === undefined) return undefined
      const path = resolve(cwd, v)
      if (!existsSync(path) || !statSync(path).isFile()) {
        bad(key, v, "a readable file")
        return undefined
      }
      return path
    }
    const oneOf = <A extends string>(key: string, choices: ReadonlyArray<A>): A | undefined => {
      const v = value(key)!
      if ((choices as ReadonlyArray<string>).includes(v)) return v as A
      bad(key, v, `one of ${choices.join(", ")}`)
      return undefined
    }

    const storage = required("storage", "a SQLite file path or a postgres:// URL")
    if (storage !== undefined) {
      if (/^postgres(ql)?:/.test(storage)) {
        if (!URL.canParse(storage) || new URL(storage).hostname === "") {
          bad("storage", storage.replace(/:[^:@/]*@/, ":***@"), "a URL like postgres://user@host:5432/database")
        }
      } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(storage)) {
        bad("storage", storage, "a SQLite file path or a postgres:// URL (no other scheme)")
      } else {
        const dir = dirname(resolve(cwd, storage))
        if (!existsSync(dir) || !statSync(dir).isDirectory())
          bad("storage", storage, `a SQLite file in an existing directory (${dir} does not exist)`)
      }
    }
    const agentsRaw = required("agents", "the path of a module exporting ClusterAgents")
    const agents = agentsRaw === undefined ? undefined : file("agents")
    const listen = hostPort("listen", false)
    const advertiseRaw = raw["advertise"]
    const advertise = advertiseRaw === undefined ? listen : hostPort("advertise", false)
    if (advertiseRaw === undefined && listen !== undefined && wildcard(listen.host)) {
      bad(
        "advertise",
        "",
        `an address the other runners can dial: --listen ${listen.host}:${listen.port} is a wildcard`
      )
    } else if (advertise !== undefined && wildcard(advertise.host)) {
      bad("advertise", advertiseRaw ?? "", "a dialable host, not a wildcard address")
    }
    const health = hostPort("health", true)
    if (health !== undefined && listen !== undefined && health.port !== 0 && health.port === listen.port) {
      bad("health", value("health")!, "a port other than the runner's --listen port")
    }
    const drainRaw = value("drainTimeout")!
    const drain = Duration.fromInput(drainRaw as Duration.Input)
    const drainTimeout =
      drain._tag === "Some" && Duration.isFinite(drain.value) && Duration.toMillis(drain.value) > 0
        ? drain.value
        : undefined
    if (drainTimeout === undefined)
      bad("drainTimeout", drainRaw, 'a positive duration, e.g. "20 seconds" or "500 millis"')
    const failover = oneOf<FailoverPreset>("failover", ["fast", "tolerant", "effect-defaults"])
    const shardsRaw = value("shardsPerGroup")!
    const shards = Number(shardsRaw)
    if (!/^\d+$/.test(shardsRaw.trim()) || shards < 1 || shards > 100_000)
      bad("shardsPerGroup", shardsRaw, "an integer from 1 to 100000")
    const tlsGiven = ["tlsCa", "tlsCert", "tlsKey"].filter((k) => raw[k] !== undefined)
    const [ca, cert, key] = [file("tlsCa"), file("tlsCert"), file("tlsKey")]
    const crl = file("tlsCrl")
    if (tlsGiven.length > 0 && tlsGiven.length < 3) {
      for (const k of ["tlsCa", "tlsCert", "tlsKey"].filter((k) => raw[k] === undefined)) {
        bad(k, "", "a PEM file: --tls-ca, --tls-cert and --tls-key go together")
      }
    }
    if (raw["tlsCrl"] !== undefined && tlsGiven.length === 0)
      bad("tlsCrl", raw["tlsCrl"], "--tls-ca, --tls-cert and --tls-key with it")
    const logFormat = oneOf<LogFormat>("logFormat", ["auto", "json", "pretty"])
    const logLevel = oneOf<RunnerSettings["logLevel"]>("logLevel", ["Trace", "Debug", "Info", "Warn", "Error"])

    if (issues.length > 0) return Effect.fail(new RunnerConfigError({ issues }))
    const advertised = advertise!
    return Effect.succeed<RunnerSettings>({
      name: raw["name"] ?? `runner-${advertised.host}:${advertised.port}`,
      storage: storage!,
      listen: listen!,
      advertise: advertised,
      agents: agents!,
      health: health!,
      drainTimeout: drainTimeout!,
      failover: failover!,
      shardsPerGroup: shards,
      tls: ca !== undefined && cert !== undefined && key !== undefined ? { ca, cert, key, crl } : undefined,
      logFormat: logFormat!,
      logLevel: logLevel!
    })
  })

/**
 * `merge` then `decode`: the settings of a runner from flags and the environment.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromSources = (
  flags: RawSettings,
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd?: string
): Effect.Effect<RunnerSettings, RunnerConfigError> => decode(merge(flags, env), cwd)
