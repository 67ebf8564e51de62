import type { IncomingMessage } from 'node:http';
import { TLSSocket } from 'node:tls';
import { answerDownloadBill, type BillAnswer } from './sandboxBillAnswers.js';
import type { SandboxBills } from './sandboxBills.js';
import type { SandboxIdentity } from './sandboxIdentity.js';
import type { SandboxLedger } from './sandboxLedger.js';
import { checkEnvelope, resultFail, signedReply } from './sandboxProtocol.js';
import type { SandboxRefundFlow } from './sandboxRefundFlow.js';
import { answerRefundQuery } from './sandboxRefundQuery.js';
import { answerV2Refund } from './sandboxV2Refund.js';

export const v2Paths = new Set(['/secapi/pay/refund', '/pay/refundquery', '/pay/downloadbill']);

const xml = { 'content-type': 'text/xml; charset=utf-8' };

/**
 * API v2's endpoints (v2Paths): signed XML in and out. /secapi/* requires a client certificate
 * issued by the sandbox CA to the mch_id (CERT_ERROR otherwise), as WeChat's secapi does.
 */
export const createSandboxV2Api = ({
  identity,
  flow,
  ledger,
  bills,
  corrupt,
}: {
  identity: SandboxIdentity;
  flow: SandboxRefundFlow;
  ledger: SandboxLedger;
  bills: SandboxBills;
  /** While true, every signed answer carries a wrong sign. */
  corrupt: () => boolean;
}) => {
  // A connection's peer certificate is fixed at its handshake, and reading it builds a new
  // object each time (a visible cost under load): judged once per socket.
  const merchantSockets = new WeakMap<TLSSocket, boolean>();
  const hasMerchantCertificate = (request: IncomingMessage): boolean => {
    const socket = request.socket;
    if (!(socket instanceof TLSSocket) || !socket.authorized) return false;
    let judged = merchantSockets.get(socket);
    if (judged === undefined) {
      judged = socket.getPeerCertificate().subject.CN === identity.mchId;
      merchantSockets.set(socket, judged);
    }
    return judged;
  };

  const wechatAnswer = async (
    request: IncomingMessage,
    path: string,
    body: Buffer,
  ): Promise<string> => {
    const envelope = checkEnvelope(body, identity);
    if (envelope.kind === 'refused') return envelope.reply;
    const { fields, signType } = envelope;
    const reply = (result: Record<string, string>): string =>
      signedReply(result, identity, signType, corrupt());
    if (fields.appid !== identity.appid) {
      return reply(resultFail('APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配'));
    }
    if (path === '/secapi/pay/refund') {
      if (!hasMerchantCertificate(request)) {
        return reply(resultFail('CERT_ERROR', '证书校验错误 (no valid merchant certificate)'));
      }
      return reply(await answerV2Refund(flow, fields));
    }
    return reply(answerRefundQuery(fields, ledger));
  };

  /** The answer to a call of one of v2Paths. */
  return async (request: IncomingMessage, path: string, body: Buffer): Promise<BillAnswer> => {
    if (path === '/pay/downloadbill' && request.method === 'POST') {
      const envelope = checkEnvelope(body, identity);
      return envelope.kind === 'refused'
        ? { status: 200, headers: xml, body: envelope.reply }
        : answerDownloadBill(envelope.fields, bills.billOf);
    }
    const answer =
      request.method === 'POST'
        ? await wechatAnswer(request, path, body)
        : signedReply(
            resultFail('REQUIRE_POST_METHOD', '请使用post方法'),
            identity,
            'MD5',
            corrupt(),
          );
    return { status: 200, headers: xml, body: answer };
  };
};
