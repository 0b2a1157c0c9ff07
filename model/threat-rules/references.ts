import type { RuleReference } from './types';

/** OWASP Automated Threats to Web Applications, by number (their page names). */
const OATS: Record<number, string> = {
  1: 'Carding',
  2: 'Token_Cracking',
  4: 'Fingerprinting',
  5: 'Scalping',
  6: 'Expediting',
  7: 'Credential_Cracking',
  8: 'Credential_Stuffing',
  9: 'CAPTCHA_Defeat',
  10: 'Card_Cracking',
  11: 'Scraping',
  12: 'Cashing_Out',
  13: 'Sniping',
  14: 'Vulnerability_Scanning',
  15: 'Denial_of_Service',
  16: 'Skewing',
  17: 'Spamming',
  18: 'Footprinting',
  19: 'Account_Creation',
  20: 'Account_Aggregation',
  21: 'Denial_of_Inventory',
};

export function cwe(n: number): RuleReference {
  return { id: `CWE-${n}`, url: `https://cwe.mitre.org/data/definitions/${n}.html` };
}

export function capec(n: number): RuleReference {
  return { id: `CAPEC-${n}`, url: `https://capec.mitre.org/data/definitions/${n}.html` };
}

export function oat(n: number): RuleReference {
  const id = `OAT-${String(n).padStart(3, '0')}`;
  return {
    id,
    url: `https://owasp.org/www-project-automated-threats-to-web-applications/assets/oats/EN/${id}_${OATS[n]}`,
  };
}
