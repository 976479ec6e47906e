/** `hpm db import-v1`: read a Headless PM v1 database, map it to our tables, write it in one transaction. */
export { importV1 } from './import-v1.js'
export type { ImportTableReport, ImportV1Options, ImportV1Report } from './import-v1.js'
export { lockDroppedNote, mapV1, V1_IMPORT_AUTHOR } from './map-v1.js'
export type { MapV1Options, SkippedRow, V1ImportPlan } from './map-v1.js'
export { readV1, readV1Sqlite, resolveV1Source, V1_SOURCE_FORMS } from './read-v1.js'
export type { V1Source } from './read-v1.js'
export type { V1Snapshot, V1Table } from './v1-schema.js'
