import { describe, expect, it } from 'vitest';
import { Language } from '../../src/shared/domain.js';
import { cleanText, haversineKm, htmlToText, parsePointWkt, pickText } from '../../src/shared/text.js';

describe('cleanText', () => {
  it('returns null for non-strings', () => {
    expect(cleanText(undefined)).toBeNull();
    expect(cleanText(null)).toBeNull();
    expect(cleanText(42)).toBeNull();
    expect(cleanText({ Message: 'x' })).toBeNull();
    expect(cleanText(['a'])).toBeNull();
  });

  it('returns null for empty and blank strings', () => {
    expect(cleanText('')).toBeNull();
    expect(cleanText('   ')).toBeNull();
    expect(cleanText('\u00a0 \u00a0')).toBeNull();
  });

  it('turns NBSP into a space, collapses runs of spaces and trims', () => {
    expect(cleanText("Vitesse moyenne du vent (à\u00a0 l'hauteur de l'instrument)")).toBe(
      "Vitesse moyenne du vent (à l'hauteur de l'instrument)",
    );
    expect(cleanText('A2 -  Measuring pile')).toBe('A2 - Measuring pile');
    expect(cleanText('Getij en stroming ')).toBe('Getij en stroming');
    expect(cleanText(' Direction du courant')).toBe('Direction du courant');
    expect(cleanText('a\u00a0b')).toBe('a b');
  });

  it('keeps line breaks inside the text', () => {
    expect(cleanText('line 1\nline 2')).toBe('line 1\nline 2');
  });

  it('repairs UTF-8 read as Latin-1', () => {
    expect(cleanText('Nieuport - BouÃ©e')).toBe('Nieuport - Bouée');
    expect(cleanText('Ã\u00a0 la mer')).toBe('à la mer'); // 'à' is C3 A0: Ã + NBSP
    expect(cleanText('MÃ¢t de mesure')).toBe('Mât de mesure');
    expect(cleanText('Temp. 12 Â°C')).toBe('Temp. 12 °C');
  });

  it('repairs mojibake next to correct accents in the same string', () => {
    expect(cleanText('Marée OTT - MarÃ©graphe')).toBe('Marée OTT - Marégraphe');
  });

  it('repairs Windows-1252 mojibake (’ read as â€™)', () => {
    expect(cleanText('l\u00e2\u20ac\u2122eau')).toBe('l\u2019eau');
  });

  it('leaves correct Latin-1 text alone', () => {
    for (const s of ['Westhinder - Mât de mesure', "Température de l'Air", 'Ostende - Bouée', 'Météorologie', 'W/m²', '°C']) {
      expect(cleanText(s)).toBe(s);
    }
  });

  it('does not "repair" a sequence that is not valid UTF-8', () => {
    // C3 followed by 'x' is no continuation byte; E0 A0 20 is truncated.
    expect(cleanText('Ãx')).toBe('Ãx');
    expect(cleanText('à\u00a0 10 m')).toBe('à 10 m');
  });

  it('drops untranslated placeholders, with or without quotes', () => {
    expect(cleanText("'en.$Location.Description.MP2'")).toBeNull();
    expect(cleanText("'nl.$Location.Description.OS7'")).toBeNull();
    expect(cleanText('en.$Parameter.Name.VHL')).toBeNull();
    expect(cleanText("  'fr.$Parameter.Name.VHM'  ")).toBeNull();
  });

  it('keeps ordinary texts that merely contain a dollar or a dot', () => {
    expect(cleanText('Price: $5.00')).toBe('Price: $5.00');
    expect(cleanText('Atm. Pressure')).toBe('Atm. Pressure');
  });
});

describe('htmlToText', () => {
  it('turns <br>, <br/>, <br /> into newlines and trims each line', () => {
    expect(htmlToText('Tide: Radac - Waveguide Wave<br />  Atm. Pressure: Setra - 270<br>x<BR/>y')).toBe(
      'Tide: Radac - Waveguide Wave\nAtm. Pressure: Setra - 270\nx\ny',
    );
  });

  it('removes other tags', () => {
    expect(htmlToText('<b>Air pressure:</b> Setra - 270 <br /> <b>Tide:</b> <i>Radac</i>')).toBe('Air pressure: Setra - 270\nTide: Radac');
    expect(htmlToText('<p class="x">a</p><span>b</span>')).toBe('ab');
  });

  it('decodes named and numeric entities', () => {
    expect(htmlToText('WAA151 &amp; WAC151')).toBe('WAA151 & WAC151');
    expect(htmlToText('&lt;tag&gt; &quot;q&quot; &#39;s&#39; &apos;a&apos;')).toBe("<tag> \"q\" 's' 'a'");
    expect(htmlToText('a&nbsp;b')).toBe('a b');
    expect(htmlToText('&#233;t&#xE9; &#x2019;')).toBe('été \u2019');
  });

  it('decodes entities only once and does not treat decoded text as tags', () => {
    expect(htmlToText('&amp;lt;')).toBe('&lt;');
    expect(htmlToText('&lt;b&gt;bold&lt;/b&gt;')).toBe('<b>bold</b>');
  });

  it('decodes a cut-off entity without its semicolon', () => {
    expect(htmlToText('Tide: Radac - Waveguide Wave<br />  Wind: Vaisala - WAA151 &amp')).toBe(
      'Tide: Radac - Waveguide Wave\nWind: Vaisala - WAA151 &',
    );
    expect(htmlToText('Humidit&eacute')).toBe('Humidité');
    expect(htmlToText('it&#39s')).toBe("it's");
  });

  it('leaves unknown or run-on entities alone', () => {
    expect(htmlToText('AT&T')).toBe('AT&T');
    expect(htmlToText('&ampere')).toBe('&ampere');
    expect(htmlToText('&bogus;')).toBe('&bogus;');
    expect(htmlToText('a & b')).toBe('a & b');
  });

  it('collapses inner runs of spaces and drops empty lines', () => {
    expect(htmlToText('  a    b  <br /><br />  <br/>\n\n c\t\td ')).toBe('a b\nc d');
    expect(htmlToText('<br /><br />')).toBe('');
  });

  it('keeps a lone less-than sign that is no tag', () => {
    expect(htmlToText('a < b and c > d')).toBe('a < b and c > d');
  });
});

describe('parsePointWkt', () => {
  it('reads longitude first', () => {
    expect(parsePointWkt('POINT (2.43777777777778 51.3886111111111)')).toEqual({
      latitude: 51.3886111111111,
      longitude: 2.43777777777778,
    });
  });

  it('tolerates extra spaces, no space after POINT, lowercase, signs', () => {
    expect(parsePointWkt('  POINT(3.1198333   51.3597222) ')).toEqual({ latitude: 51.3597222, longitude: 3.1198333 });
    expect(parsePointWkt('point ( -1.5 -45 )')).toEqual({ latitude: -45, longitude: -1.5 });
    expect(parsePointWkt('Point (180 90)')).toEqual({ latitude: 90, longitude: 180 });
  });

  it('returns null for anything unparseable', () => {
    for (const bad of [
      null,
      undefined,
      42,
      '',
      'POINT EMPTY',
      'POINT (2.4)',
      'POINT (2.4 51.3 7)',
      'POINT (a b)',
      'LINESTRING (0 0, 1 1)',
      'POINT (2.4, 51.3)',
      'POINT 2.4 51.3',
      'x'.repeat(10_000),
    ]) {
      expect(parsePointWkt(bad)).toBeNull();
    }
  });

  it('returns null when out of range', () => {
    expect(parsePointWkt('POINT (2 90.0001)')).toBeNull();
    expect(parsePointWkt('POINT (2 -91)')).toBeNull();
    expect(parsePointWkt('POINT (180.5 51)')).toBeNull();
    expect(parsePointWkt('POINT (-181 51)')).toBeNull();
    // Latitude and longitude swapped: 51 as latitude is fine, 200 as longitude is not.
    expect(parsePointWkt('POINT (200 51)')).toBeNull();
  });
});

describe('pickText', () => {
  const all = { [Language.EN]: 'Wind', [Language.NL]: 'Wind NL', [Language.FR]: 'Vent' };

  it('returns the requested language', () => {
    expect(pickText(all, Language.FR)).toBe('Vent');
    expect(pickText(all, Language.NL)).toBe('Wind NL');
    expect(pickText(all, Language.EN)).toBe('Wind');
  });

  it('falls back to EN, then NL, then FR', () => {
    expect(pickText({ [Language.EN]: 'en', [Language.NL]: 'nl' }, Language.FR)).toBe('en');
    expect(pickText({ [Language.NL]: 'nl', [Language.FR]: 'fr' }, Language.EN)).toBe('nl');
    expect(pickText({ [Language.FR]: 'fr' }, Language.NL)).toBe('fr');
    expect(pickText({ [Language.NL]: 'nl' }, Language.FR)).toBe('nl');
  });

  it('returns null when there is no text', () => {
    expect(pickText({}, Language.EN)).toBeNull();
  });
});

describe('haversineKm', () => {
  it('is zero for the same point', () => {
    const p = { latitude: 51.3886111111111, longitude: 2.43777777777778 };
    expect(haversineKm(p, p)).toBe(0);
  });

  it('gives one degree of latitude as about 111.2 km', () => {
    expect(haversineKm({ latitude: 0, longitude: 0 }, { latitude: 1, longitude: 0 })).toBeCloseTo(111.195, 2);
  });

  it('measures Westhinder (MP7) to Akkaert (AKZ) at about 26.6 km, both ways', () => {
    const mp7 = { latitude: 51.3886111111111, longitude: 2.43777777777778 };
    const akz = { latitude: 51.4161111111111, longitude: 2.81861111111111 };
    const d = haversineKm(mp7, akz);
    expect(d).toBeGreaterThan(26.5);
    expect(d).toBeLessThan(27.0);
    expect(haversineKm(akz, mp7)).toBeCloseTo(d, 10);
  });

  it('gives half the circumference for antipodes', () => {
    expect(haversineKm({ latitude: 0, longitude: 0 }, { latitude: 0, longitude: 180 })).toBeCloseTo(Math.PI * 6371.0088, 3);
  });
});
