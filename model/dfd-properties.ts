import type { Cell } from './cells';
import type { ThreatElement } from './threat-categories';

/**
 * The DFD properties a cell keeps in `data` (cells.ts: `data` is open) that the threat rules
 * read and the properties panel edits. One vocabulary for every door: the editor writes these
 * keys, REST clients send them, the Threat Dragon importer maps its camelCase names onto them
 * (`threatDragonKey`).
 */
export interface DfdFlag {
  key: string;
  /** What the properties panel shows next to the checkbox. */
  label: string;
  /** Threat Dragon v2's name for the same property (`data.isEncrypted` …). */
  threatDragonKey: string;
}

const flag = (key: string, label: string, threatDragonKey: string): DfdFlag => ({
  key,
  label,
  threatDragonKey,
});

/** The boolean flags per element type, in the order the properties panel lists them. */
export const DFD_FLAGS: Readonly<Record<ThreatElement, readonly DfdFlag[]>> = {
  actor: [flag('provides_authentication', 'Provides authentication', 'providesAuthentication')],
  process: [
    flag('is_web_application', 'Web application', 'isWebApplication'),
    flag('handles_card_payment', 'Handles card payments', 'handlesCardPayment'),
    flag('handles_goods_or_services', 'Sells goods or services', 'handlesGoodsOrServices'),
  ],
  store: [
    flag('encrypted', 'Encrypted at rest', 'isEncrypted'),
    flag('is_signed', 'Signed (integrity protected)', 'isSigned'),
    flag('stores_credentials', 'Stores credentials', 'storesCredentials'),
    flag('stores_inventory', 'Stores inventory', 'storesInventory'),
    flag('is_a_log', 'Is a log', 'isALog'),
  ],
  flow: [
    flag('encrypted', 'Encrypted in transit', 'isEncrypted'),
    flag('public_network', 'Crosses a public network', 'isPublicNetwork'),
    flag('bidirectional', 'Bidirectional', 'isBidirectional'),
  ],
};

/** Every element's scope flag (Threat Dragon `outOfScope`, `reasonOutOfScope`). */
export const OUT_OF_SCOPE = flag('out_of_scope', 'Out of scope', 'outOfScope');
export const OUT_OF_SCOPE_REASON_KEY = 'out_of_scope_reason';
/** Text properties: a flow's protocol, a process's privilege level (TD `privilegeLevel`). */
export const PROTOCOL_KEY = 'protocol';
export const PRIVILEGE_LEVEL_KEY = 'privilege_level';

/** The privilege levels the properties panel offers (free text is accepted too). */
export const PRIVILEGE_LEVELS = [
  { value: 'unprivileged', label: 'Unprivileged' },
  { value: 'user', label: 'User' },
  { value: 'service', label: 'Service account' },
  { value: 'administrator', label: 'Administrator' },
  { value: 'root', label: 'Root / system' },
] as const;

/**
 * True when a privilege level is above an ordinary user's: a service account, an
 * administrator, root/system — also in free text from imports ("admin", "SYSTEM",
 * "elevated"). Empty, "unprivileged", "user", "guest" and the like are not.
 */
export function isElevatedPrivilege(level: unknown): boolean {
  if (typeof level !== 'string') return false;
  const l = level.trim().toLowerCase();
  if (!l || /\b(un|non|least|low)[- ]?privileged?\b/.test(l)) return false;
  return /admin|root|system|service|elevated|privileged|superuser|sudo|kernel|high/.test(l);
}

/** A boolean property of a cell (`true` only when set to exactly true). */
export const hasFlag = (cell: Pick<Cell, 'data'>, key: string): boolean =>
  cell.data?.[key] === true;

/** A text property of a cell, trimmed ('' when absent). */
export function textProperty(cell: Pick<Cell, 'data'>, key: string): string {
  const value = cell.data?.[key];
  return typeof value === 'string' ? value.trim() : '';
}

export const isOutOfScope = (cell: Pick<Cell, 'data'>): boolean => hasFlag(cell, OUT_OF_SCOPE.key);
