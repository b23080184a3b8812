/**
 * RFC 4180 CSV: fields separated by `sep`, optionally quoted with ", a doubled "" inside quotes
 * is one quote, quoted fields may hold separators and line breaks; rows end at LF, CRLF or CR.
 * Throws on an unterminated quote or text after a closing quote, naming the row.
 */
export function parseCsv(text: string, sep = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let wasQuoted = false;
  let i = 0;
  const endField = () => {
    row.push(field);
    field = '';
    wasQuoted = false;
  };
  const endRow = () => {
    endField();
    // A blank line is no record.
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '' && !wasQuoted) {
      quoted = true;
      wasQuoted = true;
      i++;
    } else if (c === sep) {
      endField();
      i++;
    } else if (c === '\n' || c === '\r') {
      endRow();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      if (wasQuoted) throw new Error(`row ${rows.length + 1}: text after a closing quote`);
      field += c;
      i++;
    }
  }
  if (quoted) throw new Error(`row ${rows.length + 1}: a quoted field is not closed`);
  if (field !== '' || row.length) endRow();
  return rows;
}
