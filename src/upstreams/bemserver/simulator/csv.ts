// CSV text as Python's csv module writes and reads it (§7.4, §7.7): quoted cells, the data routes' header line, RFC 4180 rows.

/** Python csv / pandas quoting of one CSV cell (QUOTE_MINIMAL, §7.4). */
function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The header line of the data routes' CSV (§7.4): `Datetime`, then a column per requested series. */
export function csvHeader(labels: string[]): string {
  return `Datetime${labels.map((l) => `,${csvCell(l)}`).join('')}\n`;
}

/** RFC 4180 rows (quotes, doubled quotes, CRLF/LF/CR); a blank line is an empty row. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let cellStarted = false;
  const endRow = () => {
    if (cellStarted || row.length > 0) row.push(cell);
    rows.push(row);
    row = [];
    cell = '';
    cellStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += c;
      continue;
    }
    if (c === '"') {
      quoted = true;
      cellStarted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
      cellStarted = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else {
      cell += c;
      cellStarted = true;
    }
  }
  if (cellStarted || row.length > 0) endRow();
  return rows;
}
