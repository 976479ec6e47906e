import { randomBytes } from 'node:crypto'

import mysql from 'mysql2/promise'

/** The admin URL of the test MySQL/MariaDB server, from HPM_TEST_MYSQL_URL (scripts/mysql-test-cluster.sh prints one). */
export function mysqlAdminUrl(): string {
  const url = process.env.HPM_TEST_MYSQL_URL
  if (!url) throw new Error('HPM_TEST_MYSQL_URL is not set: the MySQL lane needs a server')
  return url
}

export interface MysqlTestDatabase {
  name: string
  /** The database with the admin's credentials. */
  url: string
  /** The database as a user that may only SELECT from it, with a password. */
  readerUrl: string
  readerPassword: string
  /** Runs SQL as the admin in this database; several statements at once are allowed. */
  query: (sql: string, values?: unknown[]) => Promise<unknown>
  /** Drops the database and the reader, and closes the connection. */
  drop: () => Promise<void>
}

/** A fresh, empty database on the test server, with a SELECT-only user. */
export async function createMysqlDatabase(): Promise<MysqlTestDatabase> {
  const admin = new URL(mysqlAdminUrl())
  const name = `hpm_t_${randomBytes(6).toString('hex')}`
  const readerPassword = `pw-${randomBytes(6).toString('hex')}`
  const connection = await mysql.createConnection({
    uri: admin.toString(),
    multipleStatements: true,
  })
  await connection.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4; USE ${name}`)
  await connection.query(
    `CREATE USER '${name}'@'%' IDENTIFIED BY '${readerPassword}'; GRANT SELECT ON ${name}.* TO '${name}'@'%'`,
  )
  const url = new URL(admin)
  url.pathname = `/${name}`
  const reader = new URL(url)
  reader.username = name
  reader.password = readerPassword
  return {
    name,
    url: url.toString(),
    readerUrl: reader.toString(),
    readerPassword,
    query: async (sql, values) => (await connection.query(sql, values))[0],
    drop: async () => {
      try {
        await connection.query(`DROP DATABASE IF EXISTS ${name}; DROP USER IF EXISTS '${name}'@'%'`)
      } finally {
        await connection.end()
      }
    },
  }
}
