/**
 * SQL support shared by every capability with durable state (`mabeam/sql`): mabeam's own SQLite
 * driver for `effect/sql`. Code that stores data depends only on `SqlClient.SqlClient` from
 * `effect/sql`.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Registry, SqlBackend } from "mabeam/registry"
 * import { SqliteClient } from "mabeam/sql"
 *
 * const durable = Registry.layerWith({ namespace: "tenant-a",
 *   backend: SqlBackend.layer.pipe(Layer.provide(SqliteClient.layer({ filename: "registry.db" }))) })
 * ```
 *
 * @since 0.1.0
 */
export * as SqliteClient from "./SqliteClient.ts"
export type { SqliteClientConfig } from "./SqliteClient.ts"
