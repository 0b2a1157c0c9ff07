import { detectFormat, type DetectedFormat, type ImportFormat } from './detect';
import { importOtm } from './otm';
import { importThreatDragonV1 } from './threat-dragon-v1';
import { importThreatDragonV2, type ImportResult } from './threat-dragon-v2';
import { importThreatroom } from './threatroom';

export * from './portable';
export * from './detect';
export { exportThreatDragon } from './threat-dragon-export';
export { exportOtm, importOtm } from './otm';
export { exportThreatroom, importThreatroom, type ThreatroomExtras } from './threatroom';
export { exportCsv, CSV_COLUMNS } from './csv';
export { importThreatDragonV1 } from './threat-dragon-v1';
export { importThreatDragonV2, type ImportResult } from './threat-dragon-v2';

const IMPORTERS: Record<DetectedFormat, (file: Record<string, unknown>) => ImportResult> = {
  'threat-dragon-v1': importThreatDragonV1,
  'threat-dragon-v2': importThreatDragonV2,
  otm: importOtm,
  threatroom: importThreatroom,
};

/** Detects the format (or checks `wanted`) and imports; null when it is none we read. */
export function importFile(file: unknown, wanted?: ImportFormat): ImportResult | null {
  const format = detectFormat(file, wanted);
  return format ? IMPORTERS[format](file as Record<string, unknown>) : null;
}
