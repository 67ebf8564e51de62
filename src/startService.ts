import type { Config } from './infrastructure/config/config.js';
import { buildService } from './main.js';
import type { ListeningService, ServiceOptions } from './service.js';

/**
 * Runs the service main.ts composes: listens on HOST:PORT, then starts the work that calls
 * WeChat, which needs the address WeChat notifies (PUBLIC_BASE_URL, or where it listens).
 */
export const startService = async (
  config: Config,
  options: ServiceOptions,
): Promise<ListeningService> => {
  const service = await buildService(config, options);
  try {
    await service.app.listen({ host: config.host, port: config.port });
    const address = service.app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host}:${port}`;
    await service.startBackground(config.publicBaseUrl ?? url);
    options.logger.info(
      {
        url,
        dataDir: config.dataDir,
        wechat: config.wechat.mode,
        wechatApi: service.wechat.apiVersion,
        wechatBaseUrl: service.wechat.baseUrl,
      },
      'refund service listening',
    );
    if (config.wechat.mode === 'sandbox') {
      options.logger.info(
        {
          register: `curl -X POST ${url}/v1/webhook-endpoints -H 'content-type: application/json' -d '{"url":"http://127.0.0.1:4000/hooks"}'`,
          feed: `curl '${url}/v1/events?waitSeconds=30'`,
        },
        'to hear about outcomes, register a webhook receiver (README: Hearing about outcomes) or read the event feed',
      );
    }
    return { ...service, url };
  } catch (error) {
    await service.close();
    throw error;
  }
};
