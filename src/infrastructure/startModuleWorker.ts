import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts the module `name` beside the caller (`import.meta.url`) in a worker thread. Built, it is
 * the JavaScript beside the caller (dist/, npm start). From the sources (tsx, vitest) it is
 * TypeScript, which a worker thread of Node 20 does not load through the parent's loader hooks:
 * tsx's require hook compiles it there instead.
 */
export const startModuleWorker = (callerUrl: string, name: string, workerData: unknown): Worker => {
  const extension = callerUrl.endsWith('.ts') ? 'ts' : 'js';
  const module = new URL(`./${name}.${extension}`, callerUrl);
  if (extension === 'js') return new Worker(module, { workerData });
  const tsx = JSON.stringify(createRequire(callerUrl).resolve('tsx/cjs/api'));
  const source = JSON.stringify(fileURLToPath(module));
  return new Worker(`require(${tsx}).register(); require(${source});`, {
    eval: true,
    workerData,
  });
};
