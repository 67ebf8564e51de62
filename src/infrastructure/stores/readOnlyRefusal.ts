/** What a store opened read-only (the audit commands) answers to any write. */
export const readOnlyRefusal = (store: 'event store' | 'document store'): Promise<never> =>
  Promise.reject(new Error(`${store} is open read-only`));
