export type ProgressStream = { write(text: string): unknown; columns?: number };

const width = 24;

const duration = (seconds: number): string => {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

/**
 * A one-line progress bar with rate and ETA, redrawn in place at most ten times a second. For a
 * terminal only: the caller creates it only when stderr is a TTY, so a piped run stays clean.
 */
export const createProgressBar = (
  stream: ProgressStream,
  { clock = () => Date.now() }: { clock?: () => number } = {},
) => {
  let phase: string | undefined;
  let startedAt = 0;
  let drawnAt = 0;
  let drawn = false;
  return {
    /** `fraction` of the phase done; `done` units of `unit` so far (for the rate). */
    update: (label: string, fraction: number, done: number, unit: string): void => {
      const now = clock();
      if (label !== phase) {
        phase = label;
        startedAt = now;
      } else if (now - drawnAt < 100 && fraction < 1) {
        return;
      }
      drawnAt = now;
      const part = Math.min(1, Math.max(0, fraction));
      const filled = Math.round(part * width);
      const elapsed = (now - startedAt) / 1000;
      const rate = elapsed > 0 ? done / elapsed : 0;
      const eta = part > 0 ? (elapsed * (1 - part)) / part : Infinity;
      const line =
        `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(part * 100)}% ` +
        `${done.toLocaleString('en-US')} ${unit} · ${Math.round(rate).toLocaleString('en-US')} ${unit}/s · ETA ${duration(eta)}`;
      stream.write(`\r${line.slice(0, Math.max(20, (stream.columns ?? 120) - 1))}\x1b[K`);
      drawn = true;
    },
    /** Clears the line, so what follows starts on a clean one. */
    clear: (): void => {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
};

export type ProgressBar = ReturnType<typeof createProgressBar>;
