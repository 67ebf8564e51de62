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
RUN npm ci && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
# DATA_DIR is only used with the embedded stores (EVENT_STORE=sqlite, READ_STORE=sqlite).
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
# HOST is not loopback here: the service refuses to start unless API_TOKENS is set.
CMD ["node", "bin/refunds.js", "serve"]
