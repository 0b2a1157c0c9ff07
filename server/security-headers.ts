import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

type SecureHeadersOptions = NonNullable<Parameters<typeof secureHeaders>[0]>;
import type { Config } from './config';
import type { AppEnv } from './context';
import { isSecure } from './middleware/authentication';

/** A CSP as directive → sources, sources spelled as they appear in the header. */
export type CspDirectives = Record<string, string[]>;

export const contentSecurityPolicy = (directives: CspDirectives): string =>
  Object.entries(directives)
    .map(([name, sources]) => [name, ...sources].join(' '))
    .join('; ');

/**
 * The SPA's policy as a header. SvelteKit (kit.csp in web/svelte.config.js) writes the policy
 * with the hashes of its inline bootstrap script into a <meta> tag of index.html; a browser
 * enforces header and meta both, so the header repeats the meta policy word for word and adds
 * what a <meta> CSP cannot carry: frame-ancestors. Without a meta policy (a build without
 * kit.csp) the header alone must stand, so it falls back to a policy with no inline scripts.
 */
export function spaCsp(indexHtml: string): string {
  const meta = /<meta\s+http-equiv="content-security-policy"\s+content="([^"]*)"/i.exec(indexHtml);
  const policy = meta?.[1]
    ? decodeAttribute(meta[1])
    : contentSecurityPolicy({
        'default-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
      });
  return `${policy.replace(/;\s*$/, '')}; frame-ancestors 'none'`;
}

function decodeAttribute(value: string): string {
  return value
    .replace(/&#39;|&#x27;|&apos;/gi, "'")
    .replace(/&quot;/gi, '"')
    .replace(/&amp;/gi, '&');
}

const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * The security headers of every response (hono's secureHeaders): nosniff, no framing
 * (X-Frame-Options for old browsers, frame-ancestors in the CSP), a referrer that never leaks
 * paths cross-origin, no powerful browser features, and HSTS once the session cookie is
 * Secure (HSTS over plain HTTP would be ignored, and on a local http:// setup harmful).
 * A route that sets its own Content-Security-Policy (the SPA, /api/docs) keeps it.
 */
export function securityHeaders(config: Config): MiddlewareHandler<AppEnv> {
  const common: SecureHeadersOptions = {
    // JSON and problem responses: nothing may load from them, nothing may frame them.
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: 'DENY',
    xContentTypeOptions: true,
    referrerPolicy: 'strict-origin-when-cross-origin',
    crossOriginOpenerPolicy: 'same-origin',
    crossOriginResourcePolicy: 'same-origin',
    permissionsPolicy: {
      accelerometer: [],
      camera: [],
      displayCapture: [],
      geolocation: [],
      gyroscope: [],
      hid: [],
      magnetometer: [],
      microphone: [],
      midi: [],
      payment: [],
      serial: [],
      usb: [],
      browsingTopics: [],
    },
    // Handlers' own CSP (and anything else they set on purpose) wins.
    overwrite: false,
  };
  const plain = secureHeaders({ ...common, strictTransportSecurity: false });
  const secure = secureHeaders({ ...common, strictTransportSecurity: HSTS });
  return (c, next) => (isSecure(c, config) ? secure : plain)(c, next);
}
