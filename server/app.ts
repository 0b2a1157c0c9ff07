import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { mountApiDocs } from './api-docs';
import { SESSION_COOKIE } from './auth/sessions';
import type { AppDeps, AppEnv, AppInput } from './context';
import { isDatabaseUnavailable } from './database-errors';
import {
  databaseUnavailable,
  fromHttpException,
  notFound,
  ProblemError,
  problemResponse,
} from './errors';
import { resolveCaller } from './middleware/authentication';
import { requestContext } from './middleware/request-context';
import { bodyLimits, originCheck, requireJsonBodies } from './middleware/request-guards';
import { accessRoutes } from './routes/access.routes';
import { auditRoutes } from './routes/audit.routes';
import { authRoutes } from './routes/auth.routes';
import { collaborationRoutes } from './routes/collaboration.routes';
import { commentsRoutes } from './routes/comments.routes';
import { healthRoutes } from './routes/health.routes';
import { invitationsRoutes } from './routes/invitations.routes';
import { interopRoutes } from './routes/interop.routes';
import { meRoutes } from './routes/me.routes';
import { metadataRoutes } from './routes/metadata.routes';
import { repositoriesRoutes } from './routes/repositories.routes';
import { documentsRoutes } from './routes/documents.routes';
import { diagramsRoutes } from './routes/diagrams.routes';
import { teamsRoutes } from './routes/teams.routes';
import { threatModelsRoutes } from './routes/threat-models.routes';
import { usersRoutes } from './routes/users.routes';
import { threatsRoutes } from './routes/threats.routes';
import { mitigationsRoutes } from './routes/mitigations.routes';
import { suggestionsRoutes } from './routes/suggestions.routes';
import { notificationsRoutes } from './routes/notifications.routes';
import { peopleRoutes } from './routes/people.routes';
import { reviewsRoutes } from './routes/reviews.routes';
import { apiTagObjects } from './openapi';
import { createMetrics, metricsRoute } from './metrics';
import { createRateLimits } from './rate-limits';
import { securityHeaders, spaCsp } from './security-headers';

/** Builds the HTTP app (REST API, OpenAPI document, docs, SPA files). Does not listen. */
export function createApp(input: AppInput) {
  const deps: AppDeps = {
    ...input,
    limits: input.limits ?? createRateLimits(input.config),
    metrics: input.metrics ?? createMetrics({ db: input.db }),
  };
  const app = new OpenAPIHono<AppEnv>();

  app.use('*', deps.metrics.httpMiddleware());
  app.use('*', requestContext(deps));
  app.use('*', securityHeaders(deps.config));
  app.use('/api/*', bodyLimits(deps.config), requireJsonBodies(), originCheck(deps.config));
  app.use('/api/*', resolveCaller());

  app.route('/api', healthRoutes(deps));
  app.route('/api/auth', authRoutes(deps));
  app.route('/api/me', meRoutes(deps));
  app.route('/api/users', usersRoutes(deps));
  app.route('/api/teams', teamsRoutes(deps));
  app.route('/api/threat_models', interopRoutes(deps));
  app.route('/api/threat_models', threatModelsRoutes(deps));
  app.route('/api/threat_models/:tm/access', accessRoutes(deps));
  app.route('/api/threat_models/:tm/invitations', invitationsRoutes(deps));
  app.route('/api/threat_models/:tm/people', peopleRoutes(deps));
  app.route('/api/threat_models/:tm/audit', auditRoutes(deps));
  app.route('/api/threat_models', threatsRoutes(deps));
  app.route('/api/threat_models', mitigationsRoutes(deps));
  app.route('/api/threat_models', suggestionsRoutes(deps));
  app.route('/api/me/notifications', notificationsRoutes(deps));
  app.route('/api/threat_models/:tm/comments', commentsRoutes(deps));
  app.route('/api/threat_models/:tm/reviews', reviewsRoutes(deps));
  app.route('/api/threat_models', diagramsRoutes(deps));
  app.route('/api/threat_models', documentsRoutes(deps));
  app.route('/api/threat_models', repositoriesRoutes(deps));
  app.route('/api/threat_models', metadataRoutes(deps));
  app.route('/api', collaborationRoutes(deps));

  app.openAPIRegistry.registerComponent('securitySchemes', 'cookieAuth', {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description:
      'The session cookie set by sign-up and sign-in (HttpOnly, SameSite=Lax). Mutations that carry it must come from our own Origin.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description:
      'An API token from `POST /api/me/tokens` as `Authorization: Bearer <token>`; a `read` token may only GET.',
  });
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Threatroom API',
      version: '1.0.0',
      description:
        'Threat models, access grants, threats, diagrams, comments, reviews and live collaboration. Errors are `application/problem+json` (RFC 9457); lists page with `limit` and `offset`; mutable resources carry a `version` (`ETag`, honoured in `If-Match`).',
      license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
      contact: { name: 'Threatroom maintainers' },
    },
    // Relative: the API is served by the same origin as this document (and the web app).
    servers: [{ url: '/', description: 'This Threatroom server' }],
    tags: apiTagObjects(),
  });
  mountApiDocs(app);
  app.route('/', metricsRoute(deps.metrics, deps.config.METRICS_TOKEN));

  mountWebApp(app, deps);

  app.notFound((c) => {
    throw notFound('route');
  });
  app.onError((err, c) => {
    if (err instanceof ProblemError) return problemResponse(c, err);
    if (err instanceof HTTPException) return problemResponse(c, fromHttpException(err));
    if (isDatabaseUnavailable(err)) {
      (c.get('logger') ?? deps.logger).warn({ err: String(err) }, 'database unavailable');
      return problemResponse(c, databaseUnavailable(deps.config.DATABASE_RETRY_AFTER_SECONDS));
    }
    (c.get('logger') ?? deps.logger).error({ err }, 'unhandled error');
    return problemResponse(
      c,
      new ProblemError(500, 'internal', 'Something went wrong on our side; it has been logged.'),
    );
  });
  return app;
}

/** Serves the built SvelteKit SPA at / with an index.html fallback for client-side routes. */
function mountWebApp(app: OpenAPIHono<AppEnv>, deps: AppDeps) {
  const root = resolve(deps.config.WEB_DIR);
  const indexFile = join(root, 'index.html');
  if (!existsSync(indexFile)) return;
  const indexHtml = readFileSync(indexFile, 'utf8');
  const csp = spaCsp(indexHtml);
  app.use('/*', async (c, next) => {
    if (c.req.path.startsWith('/api/') || c.req.path.startsWith('/collab/')) return next();
    // Every page is index.html (served as / or as the fallback below), hashes and all.
    c.header('Content-Security-Policy', csp);
    return serveStatic({ root })(c, next);
  });
  app.get('/*', (c) => {
    if (c.req.path.startsWith('/api/') || c.req.path.startsWith('/collab/'))
      throw notFound('route');
    return c.html(indexHtml);
  });
}
