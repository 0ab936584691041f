/** A count and its noun, English: `1 host`, `3 hosts`, `2 command batches` (`many` where adding an s is wrong). */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`
