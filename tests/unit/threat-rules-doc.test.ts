import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { THREAT_RULES } from '../../model';
import { renderThreatRulesDoc } from '../../scripts/threat-rules-doc';

it('docs/threat-rules.md is generated from the current rule table (npm run gen:rules)', () => {
  const committed = readFileSync('docs/threat-rules.md', 'utf8');
  expect(committed, 'docs/threat-rules.md is stale: run npm run gen:rules').toBe(
    renderThreatRulesDoc(),
  );
  for (const rule of THREAT_RULES) expect(committed).toContain(`\`${rule.id}\``);
});
