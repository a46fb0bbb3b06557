// Writing CSV for downloads (the server parses uploads, so there is no reader here).

/** One CSV line (RFC 4180): a cell with a comma, quote or line break is quoted, its quotes doubled. */
export function csvLine(cells) {
  return cells
    .map((cell) => {
      const s = cell === null || cell === undefined ? '' : String(cell);
      return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',');
}

/** The CSV file of `rows` (arrays of cells) as a Blob, for a download link; the BOM makes Excel read it as UTF-8. */
export function csvBlob(rows) {
  return new Blob([`\uFEFF${rows.map(csvLine).join('\r\n')}\r\n`], { type: 'text/csv;charset=utf-8' });
}
