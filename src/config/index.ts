/**
 * Configuration (`mabeam/config`): one Schema for all options, loaded from code, `MABEAM_*` env
 * vars and a JSON file (in that order of precedence); runtime updates for the settings that may
 * change. An invalid value fails naming every bad key.
 *
 * @example
 * ```ts
 * import { loadOptions } from "mabeam/config"
 *
 * const options = yield* loadOptions({ env: { MABEAM_LIMITER_CAPACITY: "10", MABEAM_LOG_LEVEL: "debug" } })
 * options.limiter.capacity   // 10
 * options.logLevel           // "Debug"
 * ```
 *
 * @since 0.1.0
 */
export { ConfigIssue, InvalidConfig } from "./ConfigError.ts"
export {
  CONFIG_FILE_ENV,
  type ConfigSources,
  envName,
  fromMabeamEnv,
  loadFrom,
  loadOptions,
  makeProvider
} from "./load.ts"
export { CHANGES_BUFFER, MabeamConfig, makeMabeamConfig } from "./MabeamConfig.ts"
export {
  BreakerOptions,
  EventsOptions,
  LimiterOptions,
  LogLevelOption,
  MabeamOptions,
  type MabeamOptionsInput,
  MailboxOptions,
  PoolOptions,
  SettingsPatch,
  TelemetryOptions
} from "./schema.ts"
