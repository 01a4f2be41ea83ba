# The admin API's image. Build from the repository root:
#   docker build -f docker/admin-api.Dockerfile -t colonycraft-admin-api .
# The build runs the same npm scripts as CI (npm ci, then the workspace's build).

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY protocol/package.json protocol/
COPY secrets/package.json secrets/
COPY testing/package.json testing/
COPY functions/package.json functions/
COPY admin-api/package.json admin-api/
COPY web/package.json web/
RUN npm ci --no-audit --no-fund
COPY protocol protocol
COPY secrets secrets
COPY testing testing
COPY admin-api admin-api
RUN npm run build -w admin-api

FROM node:22-bookworm-slim AS runtime
# The server listens on loopback unless HOST says otherwise; in a container it must take
# connections from outside (Cloud Run, Kubernetes, compose's published port).
ENV NODE_ENV=production PORT=8081 HOST=0.0.0.0
WORKDIR /app
# Only the workspaces the server runs on: with the others' package.json present, npm ci would
# install their production dependencies too (firebase-tools, provider SDKs: ~480 MB, not ~90).
COPY package.json package-lock.json ./
COPY protocol/package.json protocol/
COPY secrets/package.json secrets/
COPY admin-api/package.json admin-api/
RUN npm ci --omit=dev --workspace @colonycraft/admin-api --no-audit --no-fund \
  && npm cache clean --force
# At run time the server reads dist/, migrations/ (applied at start-up) and its package.json
# (the version in /openapi.json); the /docs page is built into dist.
COPY --from=build /app/protocol/dist protocol/dist
COPY --from=build /app/secrets/dist secrets/dist
COPY --from=build /app/admin-api/dist admin-api/dist
COPY admin-api/migrations admin-api/migrations
# Where the local secret store (SECRET_STORE=local) may keep its sealed file.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8081
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and gets SIGTERM itself, then drains (SHUTDOWN_TIMEOUT_MS).
STOPSIGNAL SIGTERM
CMD ["node", "admin-api/dist/main.js"]
