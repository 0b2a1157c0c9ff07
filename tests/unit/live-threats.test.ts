import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  isMitigatedBy,
  liveThreatsFromDoc,
  mitigationText,
  removeLiveThreats,
  threatMarks,
  writeLiveThreat,
  type LiveThreat,
} from '../../model';

const threat = (over: Partial<LiveThreat>): LiveThreat => ({
  id: 't1',
  name: 'Spoofing',
  threat_type: ['Spoofing'],
  severity: 'High',
  status: 'open',
  cell_ids: ['a'],
  rule_id: null,
  risk_level: 'high',
  mitigated: false,
  modified_at: '2026-01-01T00:00:00Z',
  ...over,
});

describe('live threat summaries', () => {
  it('round-trips through the document and can be removed', () => {
    const doc = new Y.Doc();
    doc.transact(() => {
      writeLiveThreat(doc, threat({}));
      writeLiveThreat(doc, threat({ id: 't2', name: 'Another', cell_ids: ['a', 'b'] }));
    });
    expect(liveThreatsFromDoc(doc).map((t) => t.id)).toEqual(['t2', 't1']);
    removeLiveThreats(doc, ['t2']);
    expect(liveThreatsFromDoc(doc)).toEqual([threat({})]);
  });

  it('marks a cell with the worst open current risk, grey when all are settled', () => {
    const marks = threatMarks([
      threat({ id: '1', risk_level: 'medium' }),
      threat({ id: '2', risk_level: 'critical', cell_ids: ['a', 'b'] }),
      threat({ id: '3', risk_level: 'critical', status: 'accepted', cell_ids: ['c'] }),
      threat({ id: '4', risk_level: 'low', mitigated: true, cell_ids: ['c'] }),
    ]);
    expect(marks.get('a')).toEqual({ count: 2, open: 2, worst: 'critical', settled: false });
    expect(marks.get('b')).toEqual({ count: 1, open: 1, worst: 'critical', settled: false });
    expect(marks.get('c')).toEqual({ count: 2, open: 0, worst: null, settled: true });
  });
});

describe('derived TMI fields', () => {
  it('mitigated once every planned mitigation is in place; text lists them', () => {
    expect(isMitigatedBy([])).toBe(false);
    expect(isMitigatedBy([{ status: 'implemented' }, { status: 'proposed' }])).toBe(false);
    expect(isMitigatedBy([{ status: 'verified' }, { status: 'rejected' }])).toBe(true);
    expect(
      mitigationText([
        { name: 'MFA', description: 'for all users', status: 'implemented' },
        { name: 'CAPTCHA', status: 'rejected' },
        { name: 'Rate limit', status: 'proposed' },
      ]),
    ).toBe('MFA — for all users\nRate limit');
    expect(mitigationText([])).toBeNull();
  });
});
