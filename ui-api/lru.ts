/**
 * A map bounded to `capacity` entries, least recently used out first. Evicting with `map.keys().next()` on every
 * insert walks over the slots earlier deletions left at the front of the map (V8 reclaims them only when it
 * rehashes): about 40 µs an eviction at 100,000 entries. One live iterator kept over the map moves past them once.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>()
  // every key before it has been deleted (evicted, or moved to the end when used): it points at the oldest
  private oldest: Iterator<K> = this.map.keys()

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.map.size
  }

  /** the value kept for `key`, now the most recently used */
  get(key: K): V | undefined {
    const value = this.map.get(key)
    if (value !== undefined) {
      this.map.delete(key)
      this.map.set(key, value)
    }
    return value
  }

  set(key: K, value: V): void {
    this.map.delete(key)
    if (this.map.size >= this.capacity) {
      let next = this.oldest.next()
      // an iterator that reached the end once stays there
      if (next.done === true) {
        this.oldest = this.map.keys()
        next = this.oldest.next()
      }
      if (next.done !== true) this.map.delete(next.value)
    }
    this.map.set(key, value)
  }
}
