import { describe, expect, it } from 'vitest';
import { RISK_MATRIX, riskOf, severityOf, threatRisk } from '../../model';

describe('likelihood × impact', () => {
  it.each([
    ['Low', 'Low', 6.3, 'low'],
    ['Low', 'Medium', 12.5, 'low'],
    ['Low', 'High', 18.8, 'medium'],
    ['Medium', 'Medium', 25, 'medium'],
    ['Medium', 'High', 37.5, 'high'],
    ['High', 'Medium', 37.5, 'high'],
    ['High', 'High', 56.3, 'critical'],
    ['Critical', 'Critical', 100, 'critical'],
    ['None', 'Critical', 0, 'none'],
  ] as const)('%s × %s = %d (%s)', (likelihood, impact, score, level) => {
    expect(riskOf(likelihood, impact)).toEqual({ score, level });
  });

  it('is null while either axis is Unknown or missing', () => {
    expect(riskOf('Unknown', 'High')).toBeNull();
    expect(riskOf('High', null)).toBeNull();
    expect(riskOf(undefined, undefined)).toBeNull();
    expect(threatRisk({ likelihood: 'Unknown', impact: 'High' })).toEqual({
      inherent: null,
      current: null,
      projected: null,
    });
  });

  it('matches the OWASP risk rating matrix on its Low/Medium/High core', () => {
    const level = (l: string, i: string) =>
      RISK_MATRIX.find((r) => r.likelihood === l)!.levels[
        ['None', 'Low', 'Medium', 'High', 'Critical'].indexOf(i)
      ];
    expect(level('Low', 'High')).toBe('medium');
    expect(level('Medium', 'High')).toBe('high');
    expect(level('High', 'High')).toBe('critical');
    expect(level('Medium', 'Low')).toBe('low');
    expect(level('High', 'Low')).toBe('medium');
    expect(severityOf('Medium', 'High')).toBe('High');
    expect(severityOf('Unknown', 'High')).toBe('Unknown');
  });
});

describe('mitigations lower current and projected risk', () => {
  const threat = { likelihood: 'High', impact: 'High' };

  it('current counts implemented and verified only; projected all but rejected', () => {
    const risk = threatRisk(threat, [
      { status: 'implemented', risk_reduction: 50 },
      { status: 'proposed', risk_reduction: 50 },
      { status: 'rejected', risk_reduction: 90 },
    ]);
    expect(risk.inherent).toEqual({ score: 56.3, level: 'critical' });
    expect(risk.current).toEqual({ score: 28.1, level: 'medium' });
    expect(risk.projected).toEqual({ score: 14.1, level: 'low' });
  });

  it('composes reductions multiplicatively and never goes below none', () => {
    const full = threatRisk(threat, [{ status: 'verified', risk_reduction: 100 }]);
    expect(full.current).toEqual({ score: 0, level: 'none' });
    const none = threatRisk(threat, []);
    expect(none.current).toEqual(none.inherent);
  });
});
