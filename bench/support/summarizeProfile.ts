import { readFileSync } from 'node:fs';
import { z } from 'zod';

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string() }),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** The functions that took the most time themselves in a V8 .cpuprofile, as percentages. */
export const summarizeProfile = (file: string, top = 25): { share: number; where: string }[] => {
  const profile = profileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const time = profile.timeDeltas[i] ?? 0;
    const frame = nodes.get(id);
    const file = frame?.url.split('/').slice(-2).join('/') ?? '';
    const where = `${frame?.functionName || '(anonymous)'} ${file}`.trim();
    self.set(where, (self.get(where) ?? 0) + time);
    total += time;
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([where, time]) => ({ share: (100 * time) / total, where }));
};
