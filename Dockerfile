# Build stage: compile to dist/ (JS, declarations, the pre-bundled workflows), then drop dev packages.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Runtime: compiled JS only (no TypeScript, no tsx), as the unprivileged `node` user.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Memory (bench/README.md, Memory): glibc gives each thread that allocates (the Temporal core's
# runtime threads, V8's and libuv's helpers) a malloc arena of its own; two keep an idle worker
# 15-25 MiB smaller. A 4 MiB young generation (V8's default on Node 20 is 16): idle 5-10 MiB
# smaller, the source benchmark's peak 290 MiB instead of 355, CPU per row 46 us vs 45 (the same
# within noise). Setting NODE_OPTIONS for the container replaces the flag: keep it in yours.
ENV MALLOC_ARENA_MAX=2 NODE_OPTIONS=--max-semi-space-size=4
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
USER node
CMD ["node", "bin/tconnect.mjs", "worker"]
