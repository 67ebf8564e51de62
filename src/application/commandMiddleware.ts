import type { RefundEvent, RefundCommand } from '../domain/index.js';
import type { HandledCommand, RefundCommandHandler } from './handleRefundCommand.js';

/** Wraps the command handler; every command of the process (API, gateway, notify) goes through. */
export type CommandMiddleware = (handle: RefundCommandHandler) => RefundCommandHandler;

/** The handler with the middleware around it, the first one outermost. */
export const withMiddleware = (
  handle: RefundCommandHandler,
  ...middleware: readonly CommandMiddleware[]
): RefundCommandHandler => middleware.reduceRight((inner, wrap) => wrap(inner), handle);

/** Tells `observe` about each command that appended, once its events are stored. */
const afterAppend =
  (observe: (command: RefundCommand, handled: HandledCommand) => void): CommandMiddleware =>
  (handle) =>
  async (command, context, precondition) => {
    const handled = await handle(command, context, precondition);
    if (handled.appended.length > 0) observe(command, handled);
    return handled;
  };

/** Counts the events each command appends (metrics), by type. */
export const countingEvents = (count: (event: RefundEvent) => void): CommandMiddleware =>
  afterAppend((_command, { appended }) => appended.forEach(count));

/**
 * Read-your-writes: notes the version each refund reached through this process's commands, so
 * reads answer from the stream until its view has caught up (RecentWrites).
 */
export const notingWrites = (recentWrites: {
  note: (outRefundNo: string, version: number) => void;
}): CommandMiddleware =>
  afterAppend((command, { history }) =>
    recentWrites.note(command.data.outRefundNo, history.length),
  );
