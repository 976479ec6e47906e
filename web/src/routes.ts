import { useSyncExternalStore } from 'react'

export const PAGES = [
  'attention',
  'board',
  'agents',
  'overview',
  'epics',
  'documents',
  'services',
  'activity',
] as const
export type Page = (typeof PAGES)[number]

/** A page and its query: `#/board?role=qa&text=login`, `#/attention?task=12` (12's drawer open). */
export interface Route {
  page: Page
  params: Readonly<Record<string, string>>
}

export function parseHash(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?', 2)
  const name = path.replace(/^\/+/, '').replace(/\/+$/, '')
  const page = (PAGES as readonly string[]).includes(name) ? (name as Page) : 'attention'
  const params: Record<string, string> = {}
  for (const [key, value] of new URLSearchParams(query)) if (value !== '') params[key] = value
  return { page, params }
}

export function formatHash(route: Route): string {
  const query = new URLSearchParams(
    Object.entries(route.params).filter(([, v]) => v !== ''),
  ).toString()
  return `#/${route.page}${query ? `?${query}` : ''}`
}

/** The task whose drawer is open, from `task=` in the hash. */
export function openTaskId(route: Route): number | undefined {
  const id = Number(route.params.task)
  return Number.isInteger(id) && id > 0 ? id : undefined
}

const listeners = new Set<() => void>()
let cachedHash: string | undefined
let cachedRoute: Route = parseHash('')

function currentRoute(): Route {
  const hash = window.location.hash
  if (hash !== cachedHash) {
    cachedHash = hash
    cachedRoute = parseHash(hash)
  }
  return cachedRoute
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  if (listeners.size === 1) window.addEventListener('hashchange', notify)
  return () => {
    listeners.delete(listener)
    if (listeners.size === 0) window.removeEventListener('hashchange', notify)
  }
}

function notify(): void {
  for (const listener of [...listeners]) listener()
}

export function useRoute(): Route {
  return useSyncExternalStore(subscribe, currentRoute)
}

export interface NavigateOptions {
  /** Replace the history entry instead of adding one: typing in a filter is not a step to go back to. */
  isReplace?: boolean
}

export function navigate(route: Route, options: NavigateOptions = {}): void {
  const hash = formatHash(route)
  if (hash === window.location.hash) return
  if (options.isReplace) {
    // replaceState fires no hashchange, so the listeners are told here.
    window.history.replaceState(window.history.state, '', hash)
    notify()
  } else {
    window.location.hash = hash
  }
}

/** The current route with some params set (a value of undefined removes the param). */
export function withParams(route: Route, changes: Record<string, string | undefined>): Route {
  const params: Record<string, string> = { ...route.params }
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === '') delete params[key]
    else params[key] = value
  }
  return { ...route, params }
}
