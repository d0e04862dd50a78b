# One image for the Warren node (the default command) and warren-proxy (`node dist/proxy/main.js`).
#   docker build -t warren:0.1.0 .
#   docker run -p 5672:5672 -p 15672:15672 -v warren-data:/app/data warren:0.1.0
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY node node
COPY proxy proxy
COPY shared shared
COPY tools tools
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
# the management web UI is served from its source folder
COPY --from=build /app/node/mgmt/ui node/mgmt/ui
# the default data folder (./data), writable by the unprivileged user; Kubernetes mounts a volume instead
RUN mkdir data && chown 1000:1000 data
# numeric, so Kubernetes' runAsNonRoot can verify it (the image's `node` user)
USER 1000:1000
EXPOSE 5672 15672
CMD ["node", "dist/node/main.js"]
