/**
 * Loading `MabeamOptions` from Effect `ConfigProvider`s: code values, then `MABEAM_*` env vars, then
 * an optional JSON file, then the Schema defaults (first source that has a key wins).
 *
 * @since 0.1.0
 */
import { readFile } from "node:fs/promises"
import { Config, ConfigProvider, Effect, Schema, SchemaAST, SchemaIssue, String as Str } from "effect"
import { type ConfigIssue, InvalidConfig } from "./ConfigError.ts"
import { MabeamOptions, type MabeamOptionsInput } from "./schema.ts"

/**
 * Where options come from. Every source is optional.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConfigSources {
  /** Env vars; defaults to the ambient `ConfigProvider` (the process env unless replaced). */
  readonly env?: Record<string, string | undefined> | undefined
  /** Path of a JSON file of options; defaults to the env var `MABEAM_CONFIG_FILE`, if set. */
  readonly file?: string | undefined
  /** Options given in code; they win over env vars, which win over the file. */
  readonly values?: MabeamOptionsInput | undefined
}

/**
 * The env var naming the optional JSON options file.
 *
 * @since 0.1.0
 * @category constants
 */
export const CONFIG_FILE_ENV = "MABEAM_CONFIG_FILE"

/**
 * The env var name of an option path, e.g. `["limiter", "capacity"]` → `MABEAM_LIMITER_CAPACITY`.
 *
 * @since 0.1.0
 * @category utils
 */
export const envName = (path: ReadonlyArray<PropertyKey>): string =>
  ["MABEAM", ...path.map((segment) => Str.configCase(String(segment)))].join("_")

/**
 * Maps a provider keyed like `MABEAM_LIMITER_CAPACITY` to camelCase option paths.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromMabeamEnv = (provider: ConfigProvider.ConfigProvider): ConfigProvider.ConfigProvider =>
  provider.pipe(ConfigProvider.constantCase, ConfigProvider.nested("MABEAM"))

const fileIssue = (file: string, expected: string): InvalidConfig =>
  new InvalidConfig({ issues: [{ key: "<config file>", env: CONFIG_FILE_ENV, value: file, expected }] })

const readJsonFile = (file: string): Effect.Effect<unknown, InvalidConfig> =>
  Effect.tryPromise({
    try: () => readFile(file, "utf8"),
    catch: (error) => fileIssue(file, `a readable JSON file (${String(error)})`)
  }).pipe(
    Effect.flatMap((text) =>
      Effect.try({
        try: (): unknown => JSON.parse(text),
        catch: (error) => fileIssue(file, `valid JSON (${String(error)})`)
      })
    ),
    Effect.filterOrFail(
      (json) => typeof json === "object" && json !== null && !Array.isArray(json),
      () => fileIssue(file, "a JSON object of mabeam options")
    )
  )

/**
 * Builds the combined provider for `sources` (code → env → file → nothing).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeProvider = (
  sources: ConfigSources = {}
): Effect.Effect<ConfigProvider.ConfigProvider, InvalidConfig> =>
  Effect.gen(function* () {
    const ambient = yield* ConfigProvider.ConfigProvider
    const rawEnv = sources.env === undefined ? ambient : ConfigProvider.fromEnvRecord(sources.env)
    const fileName =
      sources.file ??
      (yield* rawEnv.load([CONFIG_FILE_ENV]).pipe(
        Effect.map((node) => node?.value),
        Effect.orElseSucceed(() => undefined)
      ))
    const file = fileName === undefined ? {} : yield* readJsonFile(fileName)
    return ConfigProvider.fromUnknown(sources.values ?? {}).pipe(
      ConfigProvider.orElse(fromMabeamEnv(rawEnv)),
      ConfigProvider.orElse(ConfigProvider.fromUnknown(file)),
      // An empty root record lets every default apply when no source has anything.
      ConfigProvider.orElse(ConfigProvider.fromUnknown({}))
    )
  })

/** Every option's path (the leaves of the options Schema), e.g. `["limiter", "capacity"]`. */
const leafPaths = (ast: SchemaAST.AST, path: ReadonlyArray<string>): Array<ReadonlyArray<string>> =>
  SchemaAST.isObjects(ast)
    ? ast.propertySignatures.flatMap((p) => leafPaths(p.type, [...path, String(p.name)]))
    : [path]

const optionPaths = leafPaths(MabeamOptions.ast, [])
const decodeAll = Schema.decodeUnknownEffect(Schema.toCodecStringTree(MabeamOptions))

const issuesOf = (
  provider: ConfigProvider.ConfigProvider,
  issue: SchemaIssue.Issue
): Effect.Effect<ReadonlyArray<ConfigIssue>> => {
  const entries = SchemaIssue.makeFormatterStandardSchemaV1()(issue).issues
  return Effect.forEach(entries, (entry) => {
    const path = (entry.path ?? []).map((segment) => {
      const key = typeof segment === "object" ? segment.key : segment
      return typeof key === "number" ? key : String(key)
    })
    return provider.load(path).pipe(
      Effect.orElseSucceed(() => undefined),
      Effect.map((node): ConfigIssue => {
        const base = { key: path.join(".") || "<root>", env: envName(path), expected: entry.message }
        return node?.value === undefined ? base : { ...base, value: node.value }
      })
    )
  })
}

/**
 * Every bad option at once: `Config.schema` stops at the first bad key, so the options as the
 * sources give them (text) are decoded again with every issue reported.
 */
const allIssues = (provider: ConfigProvider.ConfigProvider, first: SchemaIssue.Issue) =>
  Effect.gen(function* () {
    const raw: Record<string, unknown> = {}
    for (const path of optionPaths) {
      const node = yield* provider.load(path).pipe(Effect.orElseSucceed(() => undefined))
      if (node?.value === undefined) continue
      let group = raw
      for (const segment of path.slice(0, -1)) group = (group[segment] ??= {}) as Record<string, unknown>
      group[path[path.length - 1]!] = node.value
    }
    const decoded = yield* Effect.result(decodeAll(raw, { errors: "all" }))
    return yield* issuesOf(provider, decoded._tag === "Failure" ? decoded.failure.issue : first)
  })

/**
 * Decodes `MabeamOptions` from one provider; fails with `InvalidConfig` naming every bad key with
 * its env var, value and expectation.
 *
 * @since 0.1.0
 * @category utils
 */
export const loadFrom = (provider: ConfigProvider.ConfigProvider): Effect.Effect<MabeamOptions, InvalidConfig> =>
  Config.schema(MabeamOptions)
    .parse(provider)
    .pipe(
      Effect.catch((error) =>
        (Schema.isSchemaError(error.cause)
          ? allIssues(provider, error.cause.issue)
          : Effect.succeed<ReadonlyArray<ConfigIssue>>([
              { key: "<source>", env: "MABEAM_*", expected: error.cause.message }
            ])
        ).pipe(Effect.flatMap((issues) => new InvalidConfig({ issues })))
      )
    )

/**
 * Loads the options from code, `MABEAM_*` env vars and an optional JSON file.
 *
 * @example
 * ```ts
 * const options = yield* loadOptions({ env: { MABEAM_LIMITER_CAPACITY: "10" } })
 * options.limiter.capacity // 10
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const loadOptions = (sources: ConfigSources = {}): Effect.Effect<MabeamOptions, InvalidConfig> =>
  makeProvider(sources).pipe(Effect.flatMap(loadFrom))
