# Scalehouse for the distributed mode (compose.yaml): one image, the role is the command
# (`collector`, `processor`, `dashboard`, `migrate`, or `start` for everything in one container).
# tests/integration/docker-image.test.ts builds this file's file set without Docker and runs it:
# keep to COPY, RUN, ENV and the rest as written here, which that test knows how to follow.

# Build: compile the TypeScript (npm run build, scripts/build.mjs) into dist/, with the SQL,
# the dashboard's UI and the beacon beside the compiled code.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# Everything .dockerignore lets through: the build decides what production needs.
COPY . .
RUN npm run build

# Run: production dependencies and the compiled JavaScript only; no TypeScript, no tsx.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 DATA_DIR=/data
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin/scalehouse.mjs ./bin/
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=6 \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/scalehouse.mjs"]
CMD ["start"]
