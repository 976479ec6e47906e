import { PACKAGE_VERSION } from '../lib/index.js'

/** The package version, reported by /health, /status and the OpenAPI document. */
export const VERSION: string = PACKAGE_VERSION
