/**
 * A fixed-size resource pool on Effect `Pool`, with a bounded wait: a caller that cannot get a
 * resource within `acquireTimeoutMillis` fails with `PoolTimeout` instead of queueing forever.
 *
 * @since 0.1.0
 */
import { Effect, Pool, Schema, type Scope } from "effect"
import { decodeInput, type InvalidInput } from "../errors/index.ts"
import { PoolTimeout } from "./InfrastructureError.ts"
import { Name } from "./schema.ts"

/**
 * A pool of `A`s whose acquisition can fail with `E`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResourcePool<A, E> {
  readonly name: string
  /** Borrows a resource for `f` and returns it afterwards (also on failure or interruption). */
  readonly use: <B, E2, R2>(f: (resource: A) => Effect.Effect<B, E2, R2>) => Effect.Effect<B, E | E2 | PoolTimeout, R2>
  /** Borrows a resource until the current scope closes. */
  readonly get: Effect.Effect<A, E | PoolTimeout, Scope.Scope>
  /** Marks `resource` broken: it is released and replaced instead of reused. */
  readonly invalidate: (resource: A) => Effect.Effect<void>
  /** Idle, used and pending counts. */
  readonly stats: Effect.Effect<Pool.Stats>
}

/**
 * Options of `makeResourcePool`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResourcePoolOptions = Schema.Struct({
  name: Name,
  size: Schema.Int.check(Schema.isGreaterThan(0), Schema.isLessThanOrEqualTo(10_000)),
  acquireTimeoutMillis: Schema.Int.check(Schema.isGreaterThan(0))
})

const decodeOptions = decodeInput(ResourcePoolOptions, "ResourcePool.make")

/**
 * Builds a pool of `size` resources made by `acquire` (released with the scope that built the pool).
 * Fails with `InvalidInput` for bad options.
 *
 * @example
 * ```ts
 * const pool = yield* makeResourcePool({
 *   name: "db", size: 4, acquireTimeoutMillis: 1_000,
 *   acquire: Effect.acquireRelease(openConnection, (c) => c.close)
 * })
 * const rows = yield* pool.use((conn) => conn.query("select 1"))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeResourcePool = <A, E, R>(options: {
  readonly name: string
  readonly acquire: Effect.Effect<A, E, R>
  readonly size: number
  readonly acquireTimeoutMillis: number
}): Effect.Effect<ResourcePool<A, E>, InvalidInput, R | Scope.Scope> =>
  Effect.gen(function* () {
    const valid = yield* decodeOptions({
      name: options.name,
      size: options.size,
      acquireTimeoutMillis: options.acquireTimeoutMillis
    })
    const pool = yield* Pool.make({ acquire: options.acquire, size: valid.size })
    const get: Effect.Effect<A, E | PoolTimeout, Scope.Scope> = Pool.get(pool).pipe(
      Effect.timeoutOrElse({
        duration: valid.acquireTimeoutMillis,
        orElse: () => Effect.fail(new PoolTimeout({ pool: valid.name, timeoutMillis: valid.acquireTimeoutMillis }))
      })
    )
    return {
      name: valid.name,
      get,
      use: (f) => Effect.scoped(Effect.flatMap(get, f)),
      invalidate: (resource) => Pool.invalidate(pool, resource),
      stats: Pool.stats(pool)
    }
  })
