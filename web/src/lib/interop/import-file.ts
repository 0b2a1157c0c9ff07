import { ApiError } from '$lib/api';
import type { FidelityReport } from './last-import.svelte';

/**
 * Sends a file to POST /api/threat_models/import as it is (the server detects the format
 * and names what it found when it is none it reads).
 */
export async function importModelFile(
  file: File,
): Promise<{ threat_model: { id: string; name: string }; report: FidelityReport }> {
  let response: Response;
  try {
    response = await fetch('/api/threat_models/import', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: await file.text(),
    });
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the Threatroom server.');
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const detail =
      typeof body.detail === 'string' ? body.detail : `Import failed (${response.status}).`;
    throw new ApiError(response.status, String(body.code ?? 'error'), detail);
  }
  return body as never;
}
