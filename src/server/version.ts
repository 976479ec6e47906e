// Not lib/index: that would load execa, which the server never uses, into every server.
import { PACKAGE_VERSION } from '../lib/package-root.js'

/** The package version, reported by /health, /status and the OpenAPI document. */
export const VERSION: string = PACKAGE_VERSION
