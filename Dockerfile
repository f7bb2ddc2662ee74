# The worker image (docker-compose.yml's `worker` service): Node for the worker, Python for the
# target projects' tests, git for the per-run worktrees.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
# `npm ci` also builds dist/ (the `prepare` script; its venv/CLI setup is not needed in this stage);
# dev dependencies are dropped afterwards.
ENV SPECIALIST_SKIP_SETUP=1
RUN npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 python3-venv git ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# The memory database's SQL migrations, applied by the worker on start.
COPY migrations ./migrations
# Our pytest plugin (pytest always ends), loaded from here with -p: never written into a project.
COPY python ./python
COPY examples/requirements.txt ./examples/requirements.txt
# The shared Python environment (what `npm run setup` makes on a developer machine).
RUN python3 -m venv .specialist/venv \
  && .specialist/venv/bin/pip install --no-cache-dir -r examples/requirements.txt \
  && chown -R node:node /app/.specialist
USER node
ENV NODE_ENV=production \
  TEMPORAL_NAMESPACE=default \
  TEMPORAL_TASK_QUEUE=python-backend-specialist
CMD ["node", "bin/specialist.js", "worker"]
