import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  isFrameworkName,
  ruleById,
  suggestThreats,
  validateCells,
  type FrameworkName,
} from '../../model';
import { cellFromThreatDragon, type TdCell } from '../setup/threat-dragon-cells';
import { threatDragonWouldFire } from './threat-dragon-oracle';

/**
 * Acceptance 2 (issue 12), the engine half: diagrams built from Threat Dragon's own demo
 * models. The full importer is the interop work; this is a minimal, test-local mapping of a
 * TD v2 cell onto ours (shape, geometry, label, the DFD properties the rules read).
 */
const FIXTURES = 'tests/fixtures/threat-dragon';
interface TdModel {
  detail: { diagrams: { title: string; diagramType: string; cells: TdCell[] }[] };
}
const load = (file: string) => JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as TdModel;

describe('three-tier web app (acceptance 2)', () => {
  const diagram = load('three-tier-web-app.json').detail.diagrams[0]!;
  const cells = diagram.cells.map(cellFromThreatDragon);
  const byName = (name: string) => cells.find((c) => c.label === name)!;
  const suggestions = suggestThreats(cells, 'STRIDE');

  it('maps to a valid diagram of ours', () => {
    expect(validateCells(cells).ok).toBe(true);
  });

  it('suggests every context rule Threat Dragon would fire', () => {
    for (const td of diagram.cells) {
      const expected = threatDragonWouldFire(td.shape, td.data ?? {});
      const fired = suggestions
        .filter((s) => s.cell_id === td.id)
        .map((s) => ruleById(s.rule_id)!)
        .filter((r) => r.layer === 'context')
        .map((r) => r.threatDragonRuleId);
      expect(fired.sort(), `${td.shape} ${String(td.data?.name)}`).toEqual(expected.sort());
    }
    // For this model: expediting, vulnerability scanning and denial of service on each of the
    // three processes; nothing on the flows (none is public or encrypted).
    const context = suggestions.filter((s) => ruleById(s.rule_id)!.layer === 'context');
    expect(context).toHaveLength(9);
  });

  it('adds interaction suggestions including denial of service and elevation of privilege', () => {
    const interaction = suggestions.filter((s) => ruleById(s.rule_id)!.layer === 'interaction');
    const types = new Set(interaction.flatMap((s) => s.threat_type));
    expect(types).toContain('Denial of Service');
    expect(types).toContain('Elevation of Privilege');
    // Web UI and Web Service sit in different boundaries; PostgresSQL shares Web Service's.
    const webService = byName('Web Service');
    const postgres = byName('PostgresSQL');
    const flooding = interaction.filter(
      (s) => s.rule_id === 'interaction.process.exposed-to-flooding',
    );
    expect(flooding.map((s) => s.cell_id).sort()).toEqual(
      [byName('Web UI').id, webService.id].sort(),
    );
    expect(interaction.some((s) => s.cell_id === postgres.id)).toBe(false);
    const eop = interaction.filter((s) => s.threat_type.includes('Elevation of Privilege'));
    expect(eop.length).toBeGreaterThan(0);
  });
});

describe('every Threat Dragon demo model', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json') && !f.includes('schema'));
  it.each(files)('%s: our context suggestions are a superset of Threat Dragon’s', (file) => {
    for (const diagram of load(file).detail.diagrams) {
      const framework: FrameworkName = isFrameworkName(diagram.diagramType)
        ? diagram.diagramType
        : 'STRIDE';
      const cells = diagram.cells.map(cellFromThreatDragon);
      const suggestions = suggestThreats(cells, framework);
      for (const td of diagram.cells) {
        // Threat Dragon ignores out-of-scope; Threatroom suggests nothing for such elements.
        if (td.data?.outOfScope === true) {
          expect(suggestions.filter((s) => s.cell_id === td.id)).toEqual([]);
          continue;
        }
        const fired = new Set(
          suggestions
            .filter((s) => s.cell_id === td.id)
            .map((s) => ruleById(s.rule_id)!.threatDragonRuleId),
        );
        for (const id of threatDragonWouldFire(td.shape, td.data ?? {})) {
          expect(fired.has(id), `${file} ${td.shape} ${String(td.data?.name)} ${id}`).toBe(true);
        }
      }
    }
  });
});
