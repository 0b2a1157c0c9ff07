import { api, done, ok } from '$lib/api';
import {
  isFrameworkName,
  suggestionKey,
  suggestThreats,
  type Cell,
  type LiveThreat,
  type SuggestionKey,
  type ThreatSuggestion,
} from '$model';

/**
 * Threat suggestions of one live diagram. Computed here from the live cells with the same
 * rules the server runs (model/), so a property ticked by anyone re-suggests at once, without
 * a round trip; minus what the live `threats` map records (same cell + rule) and what was
 * dismissed (read from the server, which stores dismissals). Applying and dismissing go to
 * the server; the recorded threats come back through the live map.
 */
export class DiagramSuggestions {
  /** Keys of the dismissed suggestions (loaded once, then kept by our own dismissals). */
  dismissed = $state.raw<Set<string>>(new Set());
  error = $state('');

  constructor(
    readonly tm: string,
    readonly diagramId: string,
    readonly framework: string,
  ) {}

  async load() {
    try {
      const res = await ok(
        api.GET('/api/threat_models/{tm}/diagrams/{diagram_id}/suggestions', {
          params: {
            path: { tm: this.tm, diagram_id: this.diagramId },
            query: { include: 'dismissed' },
          },
        }),
      );
      this.dismissed = new Set(res.items.filter((s) => s.dismissed).map(suggestionKey));
      this.error = '';
    } catch (err) {
      this.error = String((err as Error)?.message ?? err);
    }
  }

  /** What the rules suggest now for `cells` (optionally only some), minus recorded/dismissed. */
  suggest(
    cells: readonly Cell[],
    threats: readonly LiveThreat[],
    cellIds?: readonly string[],
  ): ThreatSuggestion[] {
    if (!isFrameworkName(this.framework)) return [];
    const recorded: SuggestionKey[] = threats.flatMap((t) =>
      t.rule_id ? t.cell_ids.map((cell_id) => ({ cell_id, rule_id: t.rule_id! })) : [],
    );
    const dismissed = this.dismissed;
    return suggestThreats(cells, this.framework, {
      cellIds,
      exclude: recorded,
    }).filter((s) => !dismissed.has(suggestionKey(s)));
  }

  async apply(items: readonly SuggestionKey[]) {
    return ok(
      api.POST('/api/threat_models/{tm}/diagrams/{diagram_id}/suggestions/apply', {
        params: { path: { tm: this.tm, diagram_id: this.diagramId } },
        body: { items: items.map(({ cell_id, rule_id }) => ({ cell_id, rule_id })) },
      }),
    );
  }

  async dismiss(items: readonly (SuggestionKey & { reason: string })[]) {
    await done(
      api.POST('/api/threat_models/{tm}/diagrams/{diagram_id}/suggestions/dismiss', {
        params: { path: { tm: this.tm, diagram_id: this.diagramId } },
        body: {
          items: items.map(({ cell_id, rule_id, reason }) => ({ cell_id, rule_id, reason })),
        },
      }),
    );
    this.dismissed = new Set([...this.dismissed, ...items.map(suggestionKey)]);
  }
}
