# Scalehouse for the distributed mode (compose.yaml): one image, the role is the command
# (`collector`, `processor`, or `start` for everything in one container).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY cli ./cli
COPY common ./common
COPY server ./server
COPY collector ./collector
COPY bus ./bus
COPY processor ./processor
COPY clickhouse ./clickhouse
COPY dashboard ./dashboard
COPY snippet ./snippet
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 DATA_DIR=/data
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=6 \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/scalehouse.mjs"]
CMD ["start"]
