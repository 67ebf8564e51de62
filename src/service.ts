import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { RefundCommandHandler } from './application/handleRefundCommand.js';
import type { Clock } from './application/ports/clock.js';
import type { EventStore } from './application/ports/eventStore.js';
import type { WechatSetup } from './infrastructure/wechat/wechatSetup.js';
import type { RefundReadModel } from './projections/refundReadModel.js';
import type { ProjectionStatus } from './projections/startProjection.js';
import type { SandboxTuning } from './sandbox/sandboxWechatSetup.js';
import type { BillRunTuning } from './composition/billReconciliation.js';
import type { WebhookTuning } from './composition/webhooks.js';
import type { WechatSandbox } from './sandbox/wechatSandbox.js';

/** The refund service as main.ts composes it (buildService), not listening yet. */
export type Service = {
  app: FastifyInstance;
  /** WeChat Pay: the merchant identity, and the in-process simulator in sandbox mode. */
  wechat: WechatSetup & { sandbox?: WechatSandbox };
  /** Starts the gateway reactor and the reconciler (notify_url: publicBaseUrl + the notify path). */
  startBackground(publicBaseUrl: string): Promise<void>;
  events: EventStore;
  readModel: RefundReadModel;
  /** The command handler the service uses (tests put refunds into states through it). */
  handle: RefundCommandHandler;
  projectionStatuses: () => Promise<ProjectionStatus[]>;
  /** Stops taking requests, finishes those in flight and the background work, closes the stores. */
  close(): Promise<void>;
};

export type { BillRunTuning, WebhookTuning };

export type ServiceOptions = {
  logger: Logger;
  clock?: Clock;
  random?: () => number;
  healthIntervalMs?: number;
  /** Test knobs for the in-process WeChat Pay simulator (sandbox mode). */
  sandbox?: SandboxTuning;
  /** Test knobs for webhook delivery. */
  webhooks?: WebhookTuning;
  /** Test knobs for the daily bill run (its clock is `clock`). */
  billRun?: BillRunTuning;
};

/** The service as startService runs it. */
export type ListeningService = Service & {
  /** Where the service listens, e.g. http://127.0.0.1:3000. */
  url: string;
};
