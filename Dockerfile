# Threatroom: API + live collaboration + web app on one port.
FROM node:20-bookworm-slim
WORKDIR /app
# DejaVu Sans: the face diagram images and PDF reports are drawn in.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Dev dependencies are needed to build the web app; they are pruned after the build.
RUN npm ci --no-audit --no-fund --include=dev
COPY . .
RUN npm run build:web && npm prune --omit=dev
ENV NODE_ENV=production
EXPOSE 8787
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:8787/api/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "scripts/start.mjs"]
