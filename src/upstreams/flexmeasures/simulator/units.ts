// Values: the unit conversions v3 accepts and the rounding of values it answers.

// Unit conversion: what v3 accepts as "convertible" (§6 item 7: SI prefixes, and currency per energy).
const PREFIX: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9 };

export function unitFactor(from: string, to: string): number | null {
  if (from === to) return 1;
  const alias = (u: string) => (u === '0C' ? '°C' : u === 'kW/m2' ? 'kW/m²' : u);
  if (alias(from) === alias(to)) return 1;
  const power = /^([kMG]?)W$/;
  const energy = /^([kMG]?)Wh$/;
  const price = /^([A-Z]{3})\/([kMG]?)Wh$/;
  for (const re of [power, energy]) {
    const a = re.exec(from);
    const b = re.exec(to);
    if (a && b) return PREFIX[a[1]!]! / PREFIX[b[1]!]!;
  }
  const pa = price.exec(from);
  const pb = price.exec(to);
  if (pa && pb && pa[1] === pb[1]) return PREFIX[pb[2]!]! / PREFIX[pa[2]!]!;
  return null;
}

export const round6 = (v: number) => Math.round(v * 1e6) / 1e6;
