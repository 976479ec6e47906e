import { existsSync } from 'node:fs'
import { join } from 'node:path'

import fastifyStatic from '@fastify/static'

import { PACKAGE_ROOT } from '../../lib/package-root.js'
import type { AnyFastify } from '../any-fastify.js'

/** Where `npm run build` puts the dashboard (web/ built by Vite). */
export const DASHBOARD_DIR = join(PACKAGE_ROOT, 'dist', 'web')

export function isDashboardInstalled(): boolean {
  return existsSync(join(DASHBOARD_DIR, 'index.html'))
}

/**
 * Serves the built dashboard: its hashed assets under `/assets/`, cached for good, and its page
 * at `/` for a browser. Nothing when it was not built (`/health` says so).
 */
export async function registerDashboard(app: AnyFastify): Promise<void> {
  if (!isDashboardInstalled()) return
  await app.register(fastifyStatic, {
    root: DASHBOARD_DIR,
    prefix: '/',
    index: false,
    // Only index.html sits at the top (served by `/`); everything else is a hashed asset, looked up
    // when asked for, so a rebuild under a running server is served without a restart.
    wildcard: false,
    globIgnore: ['**/assets/**'],
  })
  await app.register(fastifyStatic, {
    root: join(DASHBOARD_DIR, 'assets'),
    prefix: '/assets/',
    decorateReply: false,
    wildcard: true,
    // Asset names carry a content hash: cache them for good.
    setHeaders: (reply) => {
      reply.header('cache-control', 'public, max-age=31536000, immutable')
    },
  })
}

/** A browser asks for a page; v1 clients and scripts ask `/` for its JSON. */
export function wantsDashboard(accept: string | undefined): boolean {
  return isDashboardInstalled() && (accept ?? '').includes('text/html')
}
