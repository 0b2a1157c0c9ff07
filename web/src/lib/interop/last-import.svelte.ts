/** What an import said about itself (the server's fidelity report). */
export interface FidelityReport {
  format: string;
  mapped: Record<string, number>;
  lossy: { path: string; what: string; how: string }[];
  skipped: { path: string; what: string; reason: string }[];
}

/**
 * The report of the last import, kept across the client-side navigation to the new model so
 * its page can show it once (the server does not keep it).
 */
export const lastImport = $state<{ modelId: string | null; report: FidelityReport | null }>({
  modelId: null,
  report: null,
});
