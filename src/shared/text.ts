// Pure text and geometry helpers shared by every upstream: cleaning of upstream strings, HTML to
// plain text, WKT points, language fallback and great-circle distances.
import { Language, type GeoPoint, type LocalizedText } from './domain.js';

// ---------------------------------------------------------------------------------------------
// cleanText

/** Windows-1252 characters in 0x80–0x9F, mapped back to their byte (mojibake seen through cp1252). */
// prettier-ignore
const CP1252_BYTE: ReadonlyMap<number, number> = new Map([
  [0x20ac, 0x80], [0x201a, 0x82], [0x0192, 0x83], [0x201e, 0x84], [0x2026, 0x85], [0x2020, 0x86],
  [0x2021, 0x87], [0x02c6, 0x88], [0x2030, 0x89], [0x0160, 0x8a], [0x2039, 0x8b], [0x0152, 0x8c],
  [0x017d, 0x8e], [0x2018, 0x91], [0x2019, 0x92], [0x201c, 0x93], [0x201d, 0x94], [0x2022, 0x95],
  [0x2013, 0x96], [0x2014, 0x97], [0x02dc, 0x98], [0x2122, 0x99], [0x0161, 0x9a], [0x203a, 0x9b],
  [0x0153, 0x9c], [0x017e, 0x9e], [0x0178, 0x9f],
]);

/** The byte a character stands for when UTF-8 was read as Latin-1 / Windows-1252; -1 if none. */
function byteOf(code: number): number {
  if (code <= 0xff) return code;
  return CP1252_BYTE.get(code) ?? -1;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** Quick filter: a UTF-8 lead byte (as Latin-1) followed by something that could be a continuation. */
const MOJIBAKE_HINT =
  /[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]/;

/**
 * Repairs UTF-8 that was decoded as Latin-1 ('BouÃ©e' → 'Bouée'), sequence by sequence, so that a
 * string mixing good accents and mojibake ('Marée OTT - MarÃ©graphe') is repaired too. A sequence
 * is replaced only when its bytes decode as valid UTF-8; everything else is left alone.
 */
function repairMojibake(s: string): string {
  if (!MOJIBAKE_HINT.test(s)) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const lead = byteOf(s.charCodeAt(i));
    const len = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (len > 0 && i + len <= s.length) {
      const bytes = new Uint8Array(len);
      bytes[0] = lead;
      let ok = true;
      for (let k = 1; k < len; k++) {
        const b = byteOf(s.charCodeAt(i + k));
        if (b < 0x80 || b > 0xbf) {
          ok = false;
          break;
        }
        bytes[k] = b;
      }
      if (ok) {
        try {
          out += utf8Strict.decode(bytes);
          i += len;
          continue;
        } catch {
          // not valid UTF-8 (overlong, surrogate…): keep the characters as they are
        }
      }
    }
    out += s[i];
    i++;
  }
  return out;
}

/** `'en.$Location.Description.MP2'`, `en.$Parameter.Name.VHL`: a translation key nobody filled in. */
const PLACEHOLDER = /^'?[a-z]{2}(?:-[a-z]{2})?\.\$[\w.-]+'?$/i;

/**
 * Normalises an upstream string: null for non-strings, empty strings and untranslated
 * placeholders; repairs mojibake; NBSP → space; collapses runs of spaces; trims.
 */
export function cleanText(s: unknown): string | null {
  if (typeof s !== 'string') return null;
  // Mojibake first: 'à' read as Latin-1 is 'Ã' + NBSP, which the NBSP rule would otherwise break (meetnet CONTRACT.md §4.2).
  let t = repairMojibake(s);
  t = t
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
  if (t === '' || PLACEHOLDER.test(t)) return null;
  return t;
}

// ---------------------------------------------------------------------------------------------
// htmlToText

// prettier-ignore
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  // Latin-1 letters of Dutch and French texts (the 2020 catalog has a cut-off `Humidit&eacute`).
  eacute: 'é', egrave: 'è', ecirc: 'ê', euml: 'ë',
  aacute: 'á', agrave: 'à', acirc: 'â', auml: 'ä',
  iacute: 'í', igrave: 'ì', icirc: 'î', iuml: 'ï',
  oacute: 'ó', ograve: 'ò', ocirc: 'ô', ouml: 'ö',
  uacute: 'ú', ugrave: 'ù', ucirc: 'û', uuml: 'ü',
  ccedil: 'ç', Eacute: 'É', Egrave: 'È', Ecirc: 'Ê', Agrave: 'À', Ccedil: 'Ç',
  deg: '°', sup2: '²', sup3: '³', micro: 'µ', middot: '·', euro: '€', copy: '©', reg: '®',
  laquo: '«', raquo: '»', ndash: '–', mdash: '—', hellip: '…', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”',
};

/**
 * An entity with or without its semicolon. A named one without it must not run into a letter or
 * digit (`&amp` at the end of a cut-off text is decoded, `&ampere` is not).
 */
const ENTITY = /&(?:#(\d{1,7});?|#[xX]([0-9a-fA-F]{1,6});?|([a-zA-Z][a-zA-Z0-9]{1,7})(?:;|(?![a-zA-Z0-9])))/g;

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (whole, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) return Object.hasOwn(NAMED_ENTITIES, name) ? NAMED_ENTITIES[name]! : whole;
    const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? '', 16);
    if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return whole;
    return code === 0xa0 ? ' ' : String.fromCodePoint(code);
  });
}

/**
 * HTML fragment → plain text: `<br>` becomes a newline, other tags go, entities are decoded (also
 * a cut-off one without `;`), each line is trimmed with inner runs of spaces collapsed, and empty
 * lines are dropped.
 */
export function htmlToText(s: string): string {
  const withBreaks = s
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<\/?[a-zA-Z][^<>]*>/g, '');
  const decoded = decodeEntities(withBreaks);
  const lines: string[] = [];
  for (const raw of decoded.split(/\r\n|\r|\n/)) {
    const line = raw.replace(/[\s\u00a0]+/g, ' ').trim();
    if (line !== '') lines.push(line);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Geometry

const NUM = '([-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?)';
const POINT_WKT = new RegExp(`^\\s*POINT\\s*\\(\\s*${NUM}\\s+${NUM}\\s*\\)\\s*$`, 'i');

/** `POINT (<lon> <lat>)` (longitude first) → GeoPoint; null when unparseable or out of range. */
export function parsePointWkt(wkt: unknown): GeoPoint | null {
  if (typeof wkt !== 'string' || wkt.length > 200) return null;
  const m = POINT_WKT.exec(wkt);
  if (!m) return null;
  const longitude = Number(m[1]);
  const latitude = Number(m[2]);
  if (!Number.isFinite(longitude) || !Number.isFinite(latitude)) return null;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  return { latitude, longitude };
}

const EARTH_RADIUS_KM = 6371.0088; // IUGG mean radius

/** Great-circle distance in kilometres. */
export function haversineKm(a: GeoPoint, b: GeoPoint): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

// ---------------------------------------------------------------------------------------------
// Languages

const FALLBACK: readonly Language[] = [Language.EN, Language.NL, Language.FR];

/** The text in the requested language, else English, else Dutch, else French, else null. */
export function pickText(text: LocalizedText, language: Language): string | null {
  const wanted = text[language];
  if (wanted) return wanted;
  for (const l of FALLBACK) {
    const t = text[l];
    if (t) return t;
  }
  return null;
}
