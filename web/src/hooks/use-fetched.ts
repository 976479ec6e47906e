import { useEffect, useRef, useState } from 'react'

import { errorText } from '../api.js'

export interface Fetched<T> {
  data: T | undefined
  error: string | undefined
}

/**
 * Loads data for a view and loads it again whenever `version` changes (the live task or run
 * summary it depends on). The previous data stays shown while the new request runs.
 */
export function useFetched<T>(
  version: unknown,
  load: (signal: AbortSignal) => Promise<T>,
): Fetched<T> {
  const [state, setState] = useState<Fetched<T>>({ data: undefined, error: undefined })
  const loadRef = useRef(load)
  useEffect(() => {
    loadRef.current = load
  })

  useEffect(() => {
    const controller = new AbortController()
    loadRef.current(controller.signal).then(
      (data) => setState({ data, error: undefined }),
      (error: unknown) => {
        if (!controller.signal.aborted) setState((s) => ({ data: s.data, error: errorText(error) }))
      },
    )
    return () => controller.abort()
  }, [version])

  return state
}
