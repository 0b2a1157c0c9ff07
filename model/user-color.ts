/**
 * A stable colour for a user's cursor and selection: the same user id always gives the same
 * colour on every node and in every session, so people recognise each other.
 */
export function colorForUser(userId: string): string {
  // FNV-1a over the id: cheap, well spread, identical everywhere.
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  const hue = (hash >>> 0) % 360;
  return hslToHex(hue, 0.65, 0.45);
}

/** Saturation and lightness are fixed so that every colour is readable on white and on dark. */
function hslToHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number) => {
    const k = (n + h / 30) % 12;
    const value = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}
