# Vigil daemon image: built in one stage (TypeScript, dashboard), run in a slim one as a non-root
# user with only production dependencies. `docker run -p 8080:8080 -e MONGODB_URI=... vigil`.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
# bench/ is part of the TypeScript build, and its scripts import test support code
COPY bench ./bench
COPY test ./test
COPY web ./web
COPY config ./config
COPY models ./models
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=32 \
    DOTENV_CONFIG_QUIET=true \
    VIGIL_SERVER__HOST=0.0.0.0 \
    VIGIL_SERVER__PORT=8080
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json /app/package-lock.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/web/dist ./web/dist
COPY --from=build --chown=root:root /app/config ./config
COPY --from=build --chown=root:root /app/models ./models
# `vigil` on the PATH, as `npm install -g` would link it; the code stays read-only for the app user
RUN chmod 0755 dist/src/cli/main.js && ln -s /app/dist/src/cli/main.js /usr/local/bin/vigil
# the image's unprivileged `node` user (uid 1000)
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.VIGIL_SERVER__PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["vigil", "start"]
