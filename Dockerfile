# The refund service image: `npm ci` builds it (the prepare script compiles TypeScript to dist/),
# then only the production dependencies go into the final image.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 (the embedded store) compiles from source when no prebuilt binary fits.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
RUN npm ci

# The end-to-end flows (e2e/, docker-compose.yml's e2e profile): the built service as `npm start`
# runs it, and the flows run through tsx (a development dependency).
FROM build AS e2e
COPY bench/support ./bench/support
COPY e2e ./e2e
CMD ["sh", "-c", "node --import tsx e2e/refundFlow.ts && node --import tsx e2e/twoInstances.ts"]

FROM build AS production-dependencies
RUN npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
COPY --from=production-dependencies /app/package.json ./
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=production-dependencies /app/dist ./dist
COPY --from=production-dependencies /app/bin ./bin
# DATA_DIR is only used with the embedded stores (EVENT_STORE=sqlite, READ_STORE=sqlite) and by
# `refunds sandbox` (its certificates, in DATA_DIR/sandbox: a volume shared with the instances
# in docker-compose.yml, which copies this ownership when it is first created).
RUN mkdir -p /data/sandbox && chown -R node:node /data
USER node
EXPOSE 3000
# HOST is not loopback here: the service refuses to start unless API_TOKENS is set.
CMD ["node", "bin/refunds.js", "serve"]
