import { describe, expect, it } from 'vitest';
import {
  containingBoundary,
  ruleById,
  ruleIdFromThreatDragon,
  suggestThreats,
  THREAT_RULES,
  trustZones,
  type Cell,
  type FlowCell,
  FRAMEWORK_NAMES,
  FRAMEWORK_THREAT_TYPES,
} from '../../model';
import { TD, threatDragonWouldFire, toOurs } from './threat-dragon-oracle';

let n = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
const node = (
  shape: 'actor' | 'process' | 'store' | 'security-boundary',
  x: number,
  y: number,
  data: Record<string, unknown> = {},
  size = { width: 100, height: 60 },
): Cell => ({ id: uuid(), shape, x, y, ...size, label: shape, data });
const flow = (source: Cell, target: Cell, data: Record<string, unknown> = {}): FlowCell => ({
  id: uuid(),
  shape: 'flow',
  source: { cell: source.id },
  target: { cell: target.id },
  data,
});
const ruleIds = (
  cells: Cell[],
  cell: Cell,
  framework: (typeof FRAMEWORK_NAMES)[number] = 'STRIDE',
) => suggestThreats(cells, framework, { cellIds: [cell.id] }).map((s) => s.rule_id);

describe('the rule table', () => {
  it('has stable unique ids, 27 context rules and a category under every framework for each', () => {
    expect(new Set(THREAT_RULES.map((r) => r.id)).size).toBe(THREAT_RULES.length);
    const context = THREAT_RULES.filter((r) => r.layer === 'context');
    expect(context).toHaveLength(27);
    for (const rule of THREAT_RULES.filter((r) => r.layer !== 'element')) {
      for (const f of FRAMEWORK_NAMES) {
        expect(rule.categories[f]?.length, `${rule.id} under ${f}`).toBeGreaterThan(0);
        for (const c of rule.categories[f]!) {
          expect(FRAMEWORK_THREAT_TYPES[f] as readonly string[], `${rule.id}: ${c}`).toContain(c);
        }
      }
      expect(rule.mitigations.length).toBeGreaterThan(0);
      expect(rule.references.length).toBeGreaterThan(0);
    }
  });

  it('files denial of service under Denial of Service in STRIDE (not information disclosure)', () => {
    for (const id of [
      'oat.process.denial-of-service',
      'interaction.process.exposed-to-flooding',
      'oat.process.denial-of-inventory',
    ]) {
      expect(ruleById(id)!.categories.STRIDE).toEqual(['Denial of Service']);
    }
  });
});

const CONTEXT_CASES: {
  shape: 'actor' | 'process' | 'store' | 'flow';
  p: Record<string, unknown>;
}[] = [
  { shape: 'actor', p: {} },
  { shape: 'actor', p: { providesAuthentication: true } },
  { shape: 'flow', p: {} },
  { shape: 'flow', p: { isPublicNetwork: true } },
  { shape: 'flow', p: { isEncrypted: true } },
  { shape: 'flow', p: { isPublicNetwork: true, isEncrypted: true } },
  { shape: 'process', p: {} },
  { shape: 'process', p: { privilegeLevel: 'root' } },
  { shape: 'process', p: { handlesCardPayment: true } },
  { shape: 'process', p: { isWebApplication: true } },
  { shape: 'process', p: { handlesGoodsOrServices: true } },
  {
    shape: 'process',
    p: { handlesCardPayment: true, isWebApplication: true, handlesGoodsOrServices: true },
  },
  { shape: 'store', p: {} },
  { shape: 'store', p: { storesCredentials: true } },
  { shape: 'store', p: { storesInventory: true } },
  { shape: 'store', p: { isEncrypted: true } },
  { shape: 'store', p: { isSigned: true } },
  { shape: 'store', p: { isALog: true } },
  {
    shape: 'store',
    p: {
      storesCredentials: true,
      storesInventory: true,
      isEncrypted: true,
      isSigned: true,
      isALog: true,
    },
  },
];

describe('context rules fire on the properties Threat Dragon reads', () => {
  it.each(CONTEXT_CASES.flatMap((c) => FRAMEWORK_NAMES.map((framework) => ({ ...c, framework }))))(
    '$framework $shape $p',
    ({ shape, p, framework }) => {
      // A lone element (a flow between two processes in one zone): no interaction rule fires.
      const a = node('process', 0, 0);
      const b = node('process', 300, 0);
      const subject = shape === 'flow' ? flow(a, b, toOurs(p)) : node(shape, 0, 0, toOurs(p));
      const cells = shape === 'flow' ? [a, b, subject] : [subject];
      const context = suggestThreats(cells, framework, { cellIds: [subject.id] })
        .map((s) => ruleById(s.rule_id)!)
        .filter((r) => r.layer === 'context');
      expect(context.map((r) => r.threatDragonRuleId).sort()).toEqual(
        threatDragonWouldFire(shape, p).sort(),
      );
    },
  );

  it('maps Threat Dragon rule ids back to ours, per element', () => {
    expect(ruleIdFromThreatDragon(TD.scalping, 'process', 'STRIDE')).toBe('oat.process.scalping');
    expect(ruleIdFromThreatDragon(TD.scalping, 'store', 'STRIDE')).toBe('oat.store.scalping');
    expect(ruleIdFromThreatDragon('b2a6d40d-d3f8-4750-8e4d-c02cc84b13dc', 'actor', 'STRIDE')).toBe(
      'stride.actor.spoofing',
    );
    // CIA and CIA-DIE share ids in Threat Dragon.
    expect(ruleIdFromThreatDragon('0f20e64c-5d03-42ac-b0ae-ed105a38ee1f', 'flow', 'DIE')).toBe(
      'die.flow.confidentiality',
    );
    // PLOT4ai v1 "Unawareness" lives on in v2 "Transparency & Accessibility".
    expect(ruleIdFromThreatDragon('0aae25b8-9bd6-40da-bf5a-df6c90156b1c', 'actor', 'PLOT4ai')).toBe(
      'plot4ai.actor.transparency-and-accessibility',
    );
    expect(ruleIdFromThreatDragon('no-such-rule', 'actor', 'STRIDE')).toBeNull();
  });
});

describe('trust boundaries by geometry', () => {
  it('the smallest boundary around a node centre is its container, as the editor computes', () => {
    const outer = node('security-boundary', 0, 0, {}, { width: 1000, height: 1000 });
    const inner = node('security-boundary', 100, 100, {}, { width: 300, height: 300 });
    const p = node('process', 150, 150);
    const q = node('process', 600, 600);
    const boundaries = [outer, inner] as never[];
    expect(containingBoundary(p as never, boundaries)).toBe(inner);
    expect(containingBoundary(q as never, boundaries)).toBe(outer);
    expect(containingBoundary(inner as never, boundaries)).toBe(outer);
    const zones = trustZones([outer, inner, p, q]);
    expect(zones.around(p.id)).toEqual([inner.id, outer.id]);
    const f = flow(p, q);
    expect(zones.crossedBy(f)).toEqual([inner.id]);
    expect(zones.enteredAt(f, p.id)).toEqual([inner.id]);
    expect(zones.enteredAt(f, q.id)).toEqual([]);
  });

  it('counts a boundary line a flow cuts (Threat Dragon boundary curves)', () => {
    const p = node('process', 0, 0);
    const q = node('process', 400, 0);
    const line = {
      id: uuid(),
      shape: 'security-boundary-line',
      source: { x: 250, y: -100 },
      target: { x: 250, y: 200 },
    } as unknown as Cell;
    const f = flow(p, q);
    expect(trustZones([p, q, line, f]).crossedBy(f)).toEqual([line.id]);
    const missed = {
      ...line,
      source: { x: 250, y: 100 },
      target: { x: 250, y: 200 },
    } as unknown as Cell;
    expect(trustZones([p, q, missed, f]).crossedBy(f)).toEqual([]);
  });
});

describe('interaction rules', () => {
  const zone = (x: number) => node('security-boundary', x, 0, {}, { width: 300, height: 300 });

  it('an unencrypted flow crossing a boundary: information disclosure and tampering', () => {
    const [z1, z2] = [zone(0), zone(400)];
    const a = node('process', 50, 50);
    const b = node('process', 450, 50);
    const f = flow(a, b);
    const cells = [z1!, z2!, a, b, f];
    const s = suggestThreats(cells, 'STRIDE', { cellIds: [f.id] }).find(
      (x) => x.rule_id === 'interaction.flow.unencrypted-across-boundary',
    );
    expect(s?.threat_type).toEqual(['Information Disclosure', 'Tampering']);
    const encrypted = { ...f, data: { encrypted: true } };
    expect(ruleIds([z1!, z2!, a, b, encrypted], encrypted)).not.toContain(
      'interaction.flow.unencrypted-across-boundary',
    );
    // Within one zone nothing crosses.
    const near = node('process', 150, 150);
    const inside = flow(a, near);
    expect(
      ruleIds([z1!, a, near, inside], inside).filter((id) => id.startsWith('interaction')),
    ).toEqual([]);
  });

  it('entry into a process from outside: spoofing unless the source authenticates; privilege → EoP', () => {
    const z = zone(400);
    const user = node('actor', 0, 50);
    const admin = node('process', 450, 50, { privilege_level: 'administrator' });
    const f = flow(user, admin);
    const cells = [z, user, admin, f];
    expect(ruleIds(cells, f)).toEqual(
      expect.arrayContaining([
        'interaction.flow.unauthenticated-entry',
        'interaction.flow.unauthenticated-privileged-entry',
        'interaction.flow.code-execution-across-boundary',
      ]),
    );
    const signedIn = { ...user, data: { provides_authentication: true } } as Cell;
    const ids = ruleIds([z, signedIn, admin, f], f);
    expect(ids).not.toContain('interaction.flow.unauthenticated-entry');
    expect(ids).not.toContain('interaction.flow.unauthenticated-privileged-entry');
    expect(ids).toContain('interaction.flow.code-execution-across-boundary');
    const plain = { ...admin, data: { privilege_level: 'user' } } as Cell;
    expect(ruleIds([z, user, plain, f], f)).not.toContain(
      'interaction.flow.unauthenticated-privileged-entry',
    );
    // Leaving a zone is not entering the target's: the flow reversed enters nothing.
    const out = flow(admin, user);
    expect(ruleIds([z, user, admin, out], out)).not.toContain(
      'interaction.flow.unauthenticated-entry',
    );
    // ...unless it is bidirectional.
    const both = { ...out, data: { bidirectional: true } };
    expect(ruleIds([z, user, admin, both], both)).toContain(
      'interaction.flow.unauthenticated-entry',
    );
  });

  it('a process reachable from a public network: denial of service', () => {
    const user = node('actor', 0, 0);
    const api = node('process', 300, 0);
    const f = flow(user, api, { public_network: true });
    expect(ruleIds([user, api, f], api)).toContain('interaction.process.exposed-to-flooding');
    const lan = flow(user, api);
    expect(ruleIds([user, api, lan], api)).not.toContain('interaction.process.exposed-to-flooding');
  });

  it('a store written across a boundary: tampering, and repudiation unless it is a log', () => {
    const z = zone(400);
    const api = node('process', 0, 50);
    const db = node('store', 450, 50, { stores_credentials: true });
    const f = flow(api, db);
    const ids = ruleIds([z, api, db, f], db);
    expect(ids).toEqual(
      expect.arrayContaining([
        'interaction.store.written-across-boundary',
        'interaction.store.unattributed-writes',
        'interaction.store.credentials-at-rest',
      ]),
    );
    const log = { ...db, data: { is_a_log: true } } as Cell;
    expect(ruleIds([z, api, log, f], log)).not.toContain('interaction.store.unattributed-writes');
    // A store only read from (flow out of it) is not written.
    const read = flow(db, api);
    expect(ruleIds([z, api, db, read], db)).not.toContain(
      'interaction.store.written-across-boundary',
    );
  });

  it('an actor writing straight to a store is reported as a diagram smell', () => {
    const user = node('actor', 0, 0);
    const db = node('store', 300, 0);
    const f = flow(user, db);
    expect(ruleIds([user, db, f], f)).toContain('interaction.flow.actor-writes-store');
    expect(ruleById('interaction.flow.actor-writes-store')!.diagramSmell).toBe(true);
    const readOnly = flow(db, user);
    expect(ruleIds([user, db, readOnly], readOnly)).not.toContain(
      'interaction.flow.actor-writes-store',
    );
  });

  it('re-evaluates as geometry changes: moving a node into the zone removes the crossing', () => {
    const z = zone(400);
    const a = node('process', 0, 50);
    const b = node('process', 450, 50);
    const f = flow(a, b);
    expect(ruleIds([z, a, b, f], f)).toContain('interaction.flow.unencrypted-across-boundary');
    const moved = { ...a, x: 500, y: 150 } as Cell;
    expect(ruleIds([z, moved, b, f], f)).not.toContain(
      'interaction.flow.unencrypted-across-boundary',
    );
  });

  it('leaves out what is recorded or dismissed', () => {
    const user = node('actor', 0, 0, { provides_authentication: true });
    const all = suggestThreats([user], 'STRIDE');
    const without = suggestThreats([user], 'STRIDE', {
      exclude: [{ cell_id: user.id, rule_id: 'oat.actor.credential-stuffing' }],
    });
    expect(all.length - without.length).toBe(1);
    expect(without.map((s) => s.rule_id)).not.toContain('oat.actor.credential-stuffing');
  });
});
