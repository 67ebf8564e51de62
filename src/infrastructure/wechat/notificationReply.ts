import { buildWechatXml } from './xmlCodec.js';

/**
 * The reply that stops WeChat's notification retries (DESIGN §5 states it byte for byte). Without
 * SUCCESS WeChat retries for about 24 h (WECHAT.md), so this is sent only once the result is stored.
 */
export const notificationSuccessReply =
  '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>';

/** A FAIL reply: WeChat will deliver the notification again later (WECHAT.md retry schedule). */
export const notificationFailReply = (reason: string): string =>
  buildWechatXml({ return_code: 'FAIL', return_msg: reason });
