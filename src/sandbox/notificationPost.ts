import http from 'node:http';
import https from 'node:https';

export type NotificationReply = { status: number; body: string } | { error: string };

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Posts one notification. An https notify_url on loopback is accepted with any certificate (a
 * developer's self-signed one); anywhere else the certificate is verified as usual.
 */
export const postNotification = (
  url: string,
  { body, headers }: { body: string; headers: Record<string, string> },
  signal: AbortSignal,
  timeoutMs = 10_000,
): Promise<NotificationReply> =>
  new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ error: 'invalid notify_url' });
      return;
    }
    const secure = target.protocol === 'https:';
    const options: https.RequestOptions = {
      method: 'POST',
      headers: { ...headers, 'content-length': Buffer.byteLength(body, 'utf8') },
      signal,
      timeout: timeoutMs,
      ...(secure && { rejectUnauthorized: !loopbackHosts.has(target.hostname) }),
    };
    const request = (secure ? https : http).request(target, options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', (error) => resolve({ error: error.message }));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error) => resolve({ error: error.message }));
    request.end(body, 'utf8');
  });
