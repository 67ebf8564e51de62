/** The onAppended listeners of an event store adapter. */
export const createAppendListeners = () => {
  const listeners = new Set<() => void>();
  return {
    add: (listener: () => void): (() => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    notify: (): void => {
      for (const listener of listeners) {
        try {
          listener();
        } catch {
          // A listener is a wake-up hint; its failure must not fail the append that woke it.
        }
      }
    },
  };
};
