import { isInPlace, type MitigationStatus } from './mitigations';

/**
 * Risk from likelihood × impact, and how mitigations lower it (API.md "Threat knowledge").
 *
 * Both axes use TMI's rating scale. Unknown is "not assessed": the risk is then null, never a
 * guess. The others rank None 0, Low 1, Medium 2, High 3, Critical 4, and
 *
 *   score = 100 × (likelihood rank × impact rank) / 16      (0–100)
 *
 * The level is read from the product (= score × 16 / 100), in the bands of RISK_MATRIX:
 * 0 none, under 3 low, under 6 medium, under 9 high, 9 and above critical. For the 3 × 3
 * core (Low/Medium/High on both axes) this is exactly the OWASP Risk Rating Methodology's
 * severity matrix (e.g. Low likelihood × High impact = Medium, Medium × High = High,
 * High × High = Critical); None and Critical extend it at both ends.
 *
 * Mitigations lower the score, not the axes: each one with status implemented or verified
 * multiplies the inherent score by (1 − risk_reduction / 100) for `current`; `projected`
 * does the same with every linked mitigation that is not rejected (what the plan will
 * achieve). Reductions compose multiplicatively, so two 50 % mitigations leave 25 %, and the
 * score never goes below 0.
 */

export const RATINGS = ['Unknown', 'None', 'Low', 'Medium', 'High', 'Critical'] as const;
export type Rating = (typeof RATINGS)[number];

export const RISK_LEVELS = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface Risk {
  /** 0–100, rounded to one decimal. */
  score: number;
  level: RiskLevel;
}

export interface ThreatRisk {
  inherent: Risk | null;
  current: Risk | null;
  projected: Risk | null;
}

/** What risk needs to know of a mitigation. */
export interface MitigationEffect {
  status: MitigationStatus;
  /** 0–100 (%). */
  risk_reduction: number;
}

const RANK: Record<Exclude<Rating, 'Unknown'>, number> = {
  None: 0,
  Low: 1,
  Medium: 2,
  High: 3,
  Critical: 4,
};

/** The rank of a rating on the axes (null for Unknown, absent or unknown words). */
export function ratingRank(rating: string | null | undefined): number | null {
  return rating != null && rating in RANK ? RANK[rating as keyof typeof RANK] : null;
}

const MAX_PRODUCT = 16;

/** The level of a likelihood × impact product (0–16), see the bands above. */
function levelOfProduct(product: number): RiskLevel {
  if (product <= 0) return 'none';
  if (product < 3) return 'low';
  if (product < 6) return 'medium';
  if (product < 9) return 'high';
  return 'critical';
}

/** The level of a 0–100 score (after mitigation the score is no longer a product). */
export function levelOfScore(score: number): RiskLevel {
  return levelOfProduct((score * MAX_PRODUCT) / 100);
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** The risk of a likelihood and an impact; null while either is Unknown (or missing). */
export function riskOf(
  likelihood: string | null | undefined,
  impact: string | null | undefined,
): Risk | null {
  const l = ratingRank(likelihood);
  const i = ratingRank(impact);
  if (l === null || i === null) return null;
  const product = l * i;
  return { score: round1((100 * product) / MAX_PRODUCT), level: levelOfProduct(product) };
}

/**
 * The likelihood × impact matrix as a table (rows: likelihood None…Critical, columns: impact
 * None…Critical), each cell the level. For documentation and the heat map's colours.
 */
export const RISK_MATRIX: readonly { likelihood: Rating; levels: RiskLevel[] }[] = (
  ['None', 'Low', 'Medium', 'High', 'Critical'] as const
).map((likelihood) => ({
  likelihood,
  levels: (['None', 'Low', 'Medium', 'High', 'Critical'] as const).map(
    (impact) => riskOf(likelihood, impact)!.level,
  ),
}));

/** The unrounded 0–100 score (reductions start from it, so rounding happens once). */
function rawScore(likelihood: string | null | undefined, impact: string | null | undefined) {
  const l = ratingRank(likelihood);
  const i = ratingRank(impact);
  return l === null || i === null ? null : (100 * l * i) / MAX_PRODUCT;
}

function reduced(raw: number | null, mitigations: readonly MitigationEffect[]): Risk | null {
  if (raw === null) return null;
  let score = raw;
  for (const m of mitigations) score *= 1 - Math.min(100, Math.max(0, m.risk_reduction)) / 100;
  return { score: round1(score), level: levelOfScore(score) };
}

/** Inherent, current and projected risk of a threat given the mitigations linked to it. */
export function threatRisk(
  threat: { likelihood?: string | null; impact?: string | null },
  mitigations: readonly MitigationEffect[] = [],
): ThreatRisk {
  const raw = rawScore(threat.likelihood, threat.impact);
  return {
    inherent: riskOf(threat.likelihood, threat.impact),
    current: reduced(raw, mitigations.filter(isInPlace)),
    projected: reduced(
      raw,
      mitigations.filter((m) => m.status !== 'rejected'),
    ),
  };
}

/**
 * The rating a likelihood × impact pair suggests as a threat's severity (TMI's words), for
 * defaults: "Unknown" while the risk is unknown.
 */
export function severityOf(
  likelihood: string | null | undefined,
  impact: string | null | undefined,
): Rating {
  const risk = riskOf(likelihood, impact);
  if (!risk) return 'Unknown';
  return (risk.level.charAt(0).toUpperCase() + risk.level.slice(1)) as Rating;
}

/** Levels ordered, for "the worst of" (null sorts below none). */
export function worseLevel(a: RiskLevel | null, b: RiskLevel | null): RiskLevel | null {
  if (a === null) return b;
  if (b === null) return a;
  return RISK_LEVELS.indexOf(a) >= RISK_LEVELS.indexOf(b) ? a : b;
}
