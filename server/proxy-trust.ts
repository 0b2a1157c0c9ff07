import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/**
 * Which hops of `X-Forwarded-For` are our own proxies. `hop` 0 is the socket peer, 1 the
 * right-most X-Forwarded-For entry, and so on leftwards (the semantics of `proxy-addr`).
 */
export type ProxyTrust = (address: string, hop: number) => boolean;

export const TRUST_NOBODY: ProxyTrust = () => false;

/**
 * Parses the TRUST_PROXY setting: `false`/`0` trusts nobody; a number N trusts the N nearest
 * hops (the socket peer and the N-1 entries to the right of X-Forwarded-For); `true` means 1
 * (one reverse proxy in front, the usual deployment; it never means "believe the left-most
 * entry", which the client writes); anything else is a comma-separated list of proxy
 * addresses, CIDRs or proxy-addr's names (`loopback`, `linklocal`, `uniquelocal`). Throws on
 * an address proxy-addr cannot parse, so a typo stops start-up instead of trusting nobody.
 */
export function compileProxyTrust(setting: string): ProxyTrust {
  const value = setting.trim().toLowerCase();
  if (value === '' || value === 'false') return TRUST_NOBODY;
  if (value === 'true') return hops(1);
  if (/^\d+$/.test(value)) return hops(Number(value));
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return proxyaddr.compile(list);
}

const compiled = new Map<string, ProxyTrust>();

/** compileProxyTrust, once per distinct setting (config is parsed once, read per request). */
export function proxyTrustOf(config: { TRUST_PROXY: string }): ProxyTrust {
  let trust = compiled.get(config.TRUST_PROXY);
  if (!trust) compiled.set(config.TRUST_PROXY, (trust = compileProxyTrust(config.TRUST_PROXY)));
  return trust;
}

function hops(n: number): ProxyTrust {
  return n === 0 ? TRUST_NOBODY : (_address, hop) => hop < n;
}

/**
 * The client's address: walking from the socket peer leftwards through X-Forwarded-For, the
 * first hop that is not a trusted proxy. A client can prepend anything to the header, but
 * cannot change what our own proxy appended.
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  trust: ProxyTrust,
): string {
  if (!socketAddress) return 'unknown';
  const req = {
    socket: { remoteAddress: socketAddress },
    connection: { remoteAddress: socketAddress },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  } as unknown as IncomingMessage;
  return proxyaddr(req, trust);
}

/** Whether X-Forwarded-Proto/Host may be believed: the socket peer is one of our proxies. */
export function peerIsTrustedProxy(socketAddress: string | undefined, trust: ProxyTrust): boolean {
  return !!socketAddress && trust(socketAddress, 0);
}
