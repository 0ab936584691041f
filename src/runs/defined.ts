/** The object without its undefined fields: what results write as JSON, and what tests compare, is the same. */
export const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T
