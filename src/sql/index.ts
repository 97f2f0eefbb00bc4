/**
 * SQL support shared by every capability with durable state: mabeam's own SQLite driver for
 * `effect/sql`. Code that stores data depends only on `SqlClient.SqlClient` from `effect/sql`.
 *
 * @since 0.1.0
 */
export * as SqliteClient from "./SqliteClient.ts"
export type { SqliteClientConfig } from "./SqliteClient.ts"
