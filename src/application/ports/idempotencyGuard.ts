/**
 * What the read side knows has already been processed. It may lag the log: a miss means
 * "ask the event stream", never "new".
 */
export interface IdempotencyGuard {
  requestFingerprint(outRefundNo: string): Promise<string | undefined>;
  notificationSeen(refundId: string, refundStatus: string): Promise<boolean>;
}
