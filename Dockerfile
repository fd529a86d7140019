# Build stage: bundle src/ into dist/ (esbuild, as `npm run build`): dist/main.js, and the
# simulators in chunks of their own, loaded only for upstreams without a base URL.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.ts ./scripts/
COPY src ./src
RUN npm run build

# Runtime: production dependencies and the bundle only, run as `npm start` runs it.
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
ENV HOST=0.0.0.0 PORT=4000 NODE_ENV=production
EXPOSE 4000
USER node
CMD ["node", "--enable-source-maps", "dist/main.js"]
