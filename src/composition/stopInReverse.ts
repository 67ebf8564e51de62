export type Stoppable = { stop: () => Promise<void> };

/** One stop for parts listed in the order they started: the last one started stops first. */
export const stopInReverse = (parts: readonly Stoppable[]): Stoppable => ({
  stop: async () => {
    for (const part of [...parts].reverse()) await part.stop();
  },
});
