// Plain NHS tables (class nhsuk-table) become the design system's responsive tables, which stack
// their rows on phones instead of scrolling sideways: each body cell gets its column's heading
// (hidden from assistive technology, which has the header cells) and the table the ARIA roles that
// keep it a table when its rows are drawn as blocks. Without scripts the tables scroll as before.
function headingsOf(table) {
  const row = table.tHead?.rows[0];
  return row ? [...row.cells].flatMap((th) => Array(th.colSpan).fill(th.textContent.trim())) : [];
}

function stack(table) {
  const headings = headingsOf(table);
  if (headings.length === 0) return;
  table.classList.add("nhsuk-table--responsive");
  table.setAttribute("role", "table");
  for (const group of [table.tHead, ...table.tBodies]) group.setAttribute("role", "rowgroup");
  for (const th of table.tHead.rows[0].cells) th.setAttribute("role", "columnheader");
  for (const row of table.rows) row.setAttribute("role", "row");
  for (const body of table.tBodies) {
    for (const row of body.rows) {
      let column = 0;
      for (const cell of row.cells) {
        cell.setAttribute("role", cell.tagName === "TH" ? "rowheader" : "cell");
        const heading = cell.colSpan === 1 ? headings[column] : "";
        column += cell.colSpan;
        // The stacked cell lays out its children side by side: keep the content one of them.
        const content = document.createElement("span");
        content.className = "app-table__content";
        content.append(...cell.childNodes);
        const label = document.createElement("span");
        label.className = "nhsuk-table__heading";
        label.setAttribute("aria-hidden", "true");
        label.textContent = heading ? `${heading} ` : "";
        cell.append(label, content);
      }
    }
  }
}

export function stackTables(root = document) {
  for (const table of root.querySelectorAll("table.nhsuk-table:not(.nhsuk-table--responsive)")) stack(table);
}
