/**
 * npm run gen:rules — writes docs/threat-rules.md from the rule table.
 * `-- --check` exits 1 (without writing) when the committed file differs.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderThreatRulesDoc } from './threat-rules-doc';

const target = resolve(dirname(fileURLToPath(import.meta.url)), '../docs/threat-rules.md');
const next = renderThreatRulesDoc();
let current = '';
try {
  current = readFileSync(target, 'utf8');
} catch {
  // not generated yet
}
if (process.argv.includes('--check')) {
  if (current !== next) {
    console.error('docs/threat-rules.md is out of date: run npm run gen:rules');
    process.exit(1);
  }
} else if (current !== next) {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, next);
  console.log('wrote docs/threat-rules.md');
}
