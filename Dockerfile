# Build stage: bundle src/ into dist/ (esbuild, as `npm run build`): dist/main.js, and the
# simulators in chunks of their own, loaded only for upstreams without a base URL. Node 24, the
# active LTS (Node 20 reached its end of life on 2026-04-30); the code also runs on Node 20.19+.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.ts ./scripts/
COPY src ./src
RUN npm run build

# Runtime: production dependencies and the bundle only, run as `npm start` runs it.
FROM node:24-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
ENV HOST=0.0.0.0 PORT=4000 NODE_ENV=production
EXPOSE 4000
# Ready (docs/operations.md): 503 only when no upstream can answer or the gateway is stopping;
# Redis or one upstream down is 200, degraded. Unhealthy then means: no upstream at all answers.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
USER node
CMD ["node", "--enable-source-maps", "dist/main.js"]
