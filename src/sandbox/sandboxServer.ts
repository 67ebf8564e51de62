import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { SandboxCertificates } from './sandboxCertificates.js';

/**
 * The sandbox's HTTPS server, listening on 127.0.0.1 (port 0: a free one) with the certificates
 * its CA issued; a request that fails is logged and answered 500.
 */
export const startSandboxServer = async ({
  certificates,
  port,
  logger,
  handle,
}: {
  certificates: SandboxCertificates;
  port: number;
  logger: Logger;
  handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
}): Promise<{ server: https.Server; port: number }> => {
  const server = https.createServer(
    {
      key: certificates.serverKeyPem,
      cert: certificates.serverCertPem,
      ca: certificates.caPem,
      // The certificate is asked for on every connection and judged per path: refundquery needs
      // none, secapi answers CERT_ERROR without a valid one.
      requestCert: true,
      rejectUnauthorized: false,
    },
    (request, response) => {
      handle(request, response).catch((error: unknown) => {
        logger.error({ err: error }, 'sandbox request failed');
        if (!response.headersSent) response.writeHead(500).end();
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
};
