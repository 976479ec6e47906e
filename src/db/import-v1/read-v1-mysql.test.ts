import { describe, expect, it } from 'vitest'

import { AppError } from '../../domain/index.js'
import { loadMysql2, parseMysqlUrl, sqliteLike } from './read-v1-mysql.js'
import type { MysqlLocation } from './read-v1-mysql.js'

describe('parseMysqlUrl', () => {
  it.each<[string, MysqlLocation]>([
    [
      'mysql://hpm:secret@db.local:3307/headless_pm',
      { host: 'db.local', port: 3307, user: 'hpm', password: 'secret', database: 'headless_pm' },
    ],
    [
      'mysql+pymysql://root:@localhost:3306/headless_pm',
      { host: 'localhost', port: 3306, user: 'root', password: '', database: 'headless_pm' },
    ],
    [
      'mysql+mysqldb://u:p%40ss@127.0.0.1/pm?charset=utf8mb4',
      { host: '127.0.0.1', port: 3306, user: 'u', password: 'p@ss', database: 'pm' },
    ],
    [
      'MYSQL://u@[::1]:3310/pm',
      { host: '::1', port: 3310, user: 'u', password: '', database: 'pm' },
    ],
  ])('reads %s', (url, location) => {
    expect(parseMysqlUrl(url)).toEqual(location)
  })

  it.each([
    ['mysql://hpm:secret@db.local:3307', /names no database/],
    ['mysql://hpm:secret@db.local:99999/pm', /is not valid/],
  ])('refuses %s without printing the password', (url, message) => {
    const error = (() => {
      try {
        parseMysqlUrl(url)
      } catch (caught) {
        return caught as Error
      }
      throw new Error('no error')
    })()

    expect(error).toBeInstanceOf(AppError)
    expect(error.message).toMatch(message)
    expect(error.message).not.toContain('secret')
  })
})

describe('loadMysql2', () => {
  it('says to npm i mysql2 when the package is not installed', async () => {
    await expect(loadMysql2('mysql2-that-is-not-installed/promise')).rejects.toThrow(
      'importing from MySQL needs the optional mysql2 package, which is not installed: npm i mysql2',
    )
  })

  it('loads mysql2 when it is installed', async () => {
    const mysql = await loadMysql2()

    expect(typeof mysql.createConnection).toBe('function')
  })
})

describe('sqliteLike', () => {
  it.each<[string, unknown, unknown]>([
    ['a parsed JSON object as JSON text', { priority: 'low' }, '{"priority":"low"}'],
    ['a parsed JSON array as JSON text', [1, 2], '[1,2]'],
    ['a binary-collated string as text', Buffer.from('héllo'), 'héllo'],
    ['a number as it is', 1, 1],
    ['a timestamp string as it is', '2026-11-30 03:20:40.037265', '2026-11-30 03:20:40.037265'],
    ['NULL as null', null, null],
  ])('returns %s', (_case, value, expected) => {
    expect(sqliteLike(value)).toEqual(expected)
  })
})
