import type { Command } from 'commander'

import { IMPORT_V1_HELP } from '../help.js'
import { databaseUrlOption, dataDirOption } from '../options.js'
import type { CommandKit } from '../program.js'
import type { DbFlags, ImportV1Flags } from './db.js'

/** `hpm db ...`, with their flags; the store and its migrations load only when one runs. */
export function addDbCommands(program: Command, { report }: CommandKit): void {
  const db = program
    .command('db')
    .description("database schema: status, migrations and v1 import (for the server's database)")
  const schemaCommands = [
    [
      'status',
      'show applied and pending migrations; fails when the database is newer than this hpm',
      async (flags: DbFlags) => (await import('./db.js')).dbStatus(flags),
    ],
    [
      'migrate',
      'apply pending migrations (hpm serve also does this when it starts)',
      async (flags: DbFlags) => (await import('./db.js')).dbMigrate(flags),
    ],
  ] as const
  for (const [name, description, work] of schemaCommands) {
    db.command(name)
      .description(description)
      .addOption(dataDirOption())
      .addOption(databaseUrlOption())
      .action((opts: DbFlags, command: Command) => report(command, () => work(opts), 'record'))
  }
  db.command('import-v1')
    .description(
      'copy a Headless PM v1 database into this one, in one transaction (safe to run again)',
    )
    .argument(
      '<source>',
      'the v1 database: a SQLite file, sqlite:///relative.db, sqlite:////abs.db, or mysql://...',
    )
    .option('--dry-run', 'show what would be imported and what would be skipped; write nothing')
    .addOption(dataDirOption())
    .addOption(databaseUrlOption())
    .addHelpText('after', IMPORT_V1_HELP)
    .action(async (source: string, opts: ImportV1Flags, command: Command) => {
      const { dbImportV1, importV1View } = await import('./db.js')
      await report(
        command,
        () => dbImportV1(source, opts),
        importV1View,
        (result) =>
          result.skipped.length > 0
            ? [
                `${result.skipped.length} v1 row(s) were not imported; each is listed under skipped with the reason`,
              ]
            : [],
      )
    })
}
