/** Keeps the last `maxChars` characters of a growing text, so a chatty child cannot exhaust memory. */
export class TailBuffer {
  readonly #maxChars: number
  #chunks: string[] = []
  #length = 0
  #isTruncated = false

  constructor(maxChars: number) {
    this.#maxChars = maxChars
  }

  get isTruncated(): boolean {
    return this.#isTruncated
  }

  push(chunk: string): void {
    this.#chunks.push(chunk)
    this.#length += chunk.length
    while (this.#length > this.#maxChars && this.#chunks.length > 0) {
      const excess = this.#length - this.#maxChars
      const first = this.#chunks[0] as string
      this.#isTruncated = true
      if (first.length <= excess) {
        this.#chunks.shift()
        this.#length -= first.length
      } else {
        this.#chunks[0] = first.slice(excess)
        this.#length -= excess
      }
    }
  }

  text(): string {
    // Joining once and keeping the result stops repeated calls from re-joining many small chunks.
    const joined = this.#chunks.join('')
    this.#chunks = joined.length > 0 ? [joined] : []
    return joined
  }
}
