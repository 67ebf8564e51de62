/**
 * Read-your-writes for one instance: the version each refund reached through this process's own
 * commands, until its view has caught up. Bounded, oldest forgotten first (a forgotten entry only
 * means a possibly older view, never a wrong one).
 */
export const createRecentWrites = (limit = 10_000) => {
  const versions = new Map<string, number>();
  return {
    note: (outRefundNo: string, version: number): void => {
      versions.delete(outRefundNo);
      versions.set(outRefundNo, version);
      if (versions.size > limit) {
        const oldest = versions.keys().next();
        if (!oldest.done) versions.delete(oldest.value);
      }
    },
    /** True when the view shows at least what this process wrote; forgets the entry then. */
    isFresh: (outRefundNo: string, viewVersion: number | undefined): boolean => {
      const written = versions.get(outRefundNo);
      if (written === undefined) return viewVersion !== undefined;
      if (viewVersion !== undefined && viewVersion >= written) {
        versions.delete(outRefundNo);
        return true;
      }
      return false;
    },
  };
};

export type RecentWrites = ReturnType<typeof createRecentWrites>;
