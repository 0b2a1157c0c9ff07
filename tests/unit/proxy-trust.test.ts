import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config';
import { clientAddress, compileProxyTrust } from '../../server/proxy-trust';

const client = (setting: string, socket: string, xff?: string) =>
  clientAddress(socket, xff, compileProxyTrust(setting));

describe('TRUST_PROXY (proxy-addr semantics: the first untrusted hop from the right)', () => {
  it('false / 0: the socket peer, whatever X-Forwarded-For says', () => {
    for (const setting of ['false', '0', ''])
      expect(client(setting, '10.0.0.1', '6.6.6.6, 7.7.7.7')).toBe('10.0.0.1');
  });

  it('a hop count: the entry that many hops in from the right; a spoofed left part is ignored', () => {
    expect(client('1', '10.0.0.1', '6.6.6.6, 203.0.113.9')).toBe('203.0.113.9');
    expect(client('2', '10.0.0.1', '6.6.6.6, 203.0.113.9, 10.0.0.2')).toBe('203.0.113.9');
    // Fewer entries than hops: the left-most there is (the client's claim, but nothing better).
    expect(client('3', '10.0.0.1', '203.0.113.9')).toBe('203.0.113.9');
    // No header: the socket peer.
    expect(client('1', '10.0.0.1')).toBe('10.0.0.1');
  });

  it('true means one hop, never "believe the left-most entry"', () => {
    expect(client('true', '10.0.0.1', '6.6.6.6, 203.0.113.9')).toBe('203.0.113.9');
  });

  it('a list of addresses and CIDRs: walks left past every trusted proxy', () => {
    const setting = 'loopback, 10.0.0.0/8';
    expect(client(setting, '127.0.0.1', '6.6.6.6, 203.0.113.9, 10.1.2.3')).toBe('203.0.113.9');
    // The socket peer is not one of ours: its header is not believed.
    expect(client(setting, '198.51.100.7', '6.6.6.6')).toBe('198.51.100.7');
    expect(client('192.0.2.1', '192.0.2.1', '203.0.113.9')).toBe('203.0.113.9');
  });

  it('a setting proxy-addr cannot parse stops start-up, naming the key', () => {
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/99' })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: 'yes please' })).toThrow(/TRUST_PROXY/);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8,::1' }).TRUST_PROXY).toBe('10.0.0.0/8,::1');
  });
});
