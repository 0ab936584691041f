/**
 * A Map that holds at most `max` entries, the oldest set let go first: what an interpreter remembers across the hosts
 * of a sweep (a certificate seen before, the same package lists), never growing with the fleet.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super()
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.max) this.delete(this.keys().next().value as K)
    return super.set(key, value)
  }
}
