import { isObject } from './clean';

export const IMPORT_FORMATS = ['threat-dragon', 'otm', 'threatroom'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];
export type DetectedFormat = 'threat-dragon-v1' | 'threat-dragon-v2' | 'otm' | 'threatroom';

/** What a parsed file looks like, in a few words, for the 400 that names it. */
export function describe(file: unknown): string {
  if (Array.isArray(file)) return `a JSON array of ${file.length} items`;
  if (!isObject(file)) return `a JSON ${file === null ? 'null' : typeof file}`;
  const keys = Object.keys(file).slice(0, 8);
  return keys.length
    ? `a JSON object with keys ${keys.map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}`
    : 'an empty JSON object';
}

/**
 * Which format a parsed file is in: OTM has `otmVersion`; a Threatroom export says so in
 * `format`; Threat Dragon has `summary` + `detail.diagrams`, v1 with JointJS `diagramJson`.
 * `wanted` (`?format=`) narrows the choice. Null when it is none of them.
 */
export function detectFormat(file: unknown, wanted?: ImportFormat): DetectedFormat | null {
  if (!isObject(file)) return null;
  const found: DetectedFormat | null =
    typeof file.otmVersion === 'string' && isObject(file.project)
      ? 'otm'
      : file.format === 'threatroom' && isObject(file.threat_model)
        ? 'threatroom'
        : isObject(file.summary) && isObject(file.detail) && Array.isArray(file.detail.diagrams)
          ? file.detail.diagrams.some((d) => isObject(d) && isObject(d.diagramJson))
            ? 'threat-dragon-v1'
            : 'threat-dragon-v2'
          : null;
  if (!found || !wanted) return found;
  return found.startsWith(wanted) ? found : null;
}
