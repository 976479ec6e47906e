const KEY_STORAGE = 'hpm.apiKey'

/**
 * Takes the key `hpm serve` prints in the URL fragment (`#key=…`) and removes it from the address
 * bar at once, so it is neither bookmarked nor shown. A fragment never reaches the server.
 */
export function takeKeyFromFragment(): string | undefined {
  const hash = window.location.hash.replace(/^#/, '')
  if (!/(^|&)key=/.test(hash)) return undefined
  const key = new URLSearchParams(hash).get('key')?.trim()
  window.history.replaceState(
    window.history.state,
    '',
    `${window.location.pathname}${window.location.search}#/`,
  )
  return key === '' ? undefined : key
}

export function findStoredKey(): string | undefined {
  try {
    return window.localStorage.getItem(KEY_STORAGE) ?? undefined
  } catch {
    // Storage can be disabled (private mode, policies): the key then lives for this page only.
    return undefined
  }
}

export function storeKey(key: string): void {
  try {
    window.localStorage.setItem(KEY_STORAGE, key)
  } catch {
    // See findStoredKey.
  }
}

export function forgetKey(): void {
  try {
    window.localStorage.removeItem(KEY_STORAGE)
  } catch {
    // See findStoredKey.
  }
}
