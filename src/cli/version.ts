/**
 * The CLI's version (the package's), in a module of its own so the runner's entry can read it
 * without loading the whole CLI.
 *
 * @since 0.4.0
 * @category constants
 */
export const VERSION = "0.1.0"
