// The HTTP layer's limit on this machine: a bare fastify route that parses the same JSON body
// as POST /v1/refunds and answers 202. Prints its URL once it listens.
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 16 * 1024 });
app.post('/v1/refunds', async (request, reply) =>
  reply.code(202).send({ received: typeof request.body === 'object' }),
);
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(
  `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`,
);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
