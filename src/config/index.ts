/**
 * Configuration: one Schema for all options, loaded from code, `MABEAM_*` env vars and a JSON file;
 * runtime updates for the settings that may change.
 *
 * @since 0.1.0
 */
export { ConfigIssue, InvalidConfig } from "./ConfigError.ts"
export { CONFIG_FILE_ENV, type ConfigSources, envName, fromMabeamEnv, loadFrom, loadOptions, makeProvider } from "./load.ts"
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
