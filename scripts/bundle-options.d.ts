import type { BuildOptions } from 'esbuild'

/** Packages left out of the `hpm` bundle. */
export declare const EXTERNAL: readonly string[]
/** How `hpm` is bundled (scripts/build.js). */
export declare const HPM_BUNDLE: BuildOptions
