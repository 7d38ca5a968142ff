// Progressive enhancement only: every page works without this file.
// A table's cells carry their column's header (data-label), so a phone shows each row as a labelled
// card (site.css). The table keeps its roles where CSS display would drop them for screen readers.
function cardTable(table) {
  const head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
  if (!head) return;
  const labels = [];
  for (const th of head.cells) {
    for (let i = 0; i < th.colSpan; i++) labels.push(th.textContent.trim());
  }
  table.setAttribute("role", "table");
  for (const group of table.querySelectorAll("thead, tbody, tfoot")) group.setAttribute("role", "rowgroup");
  for (const row of table.rows) {
    row.setAttribute("role", "row");
    let column = 0;
    for (const cell of row.cells) {
      const header = cell.tagName === "TH";
      cell.setAttribute("role", header ? (row.parentNode === table.tHead ? "columnheader" : "rowheader") : "cell");
      // A message across the whole row ("No reports yet.") needs no label.
      if (!header && cell.colSpan < labels.length && labels[column]) cell.dataset.label = labels[column];
      column += cell.colSpan;
    }
  }
  table.dataset.cards = "";
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("table.cards").forEach(cardTable);
  // Switch language as soon as a new one is picked; the button stays for no-JS use.
  const select = document.getElementById("language-select");
  if (select) {
    select.addEventListener("change", () => select.form.submit());
  }
  // On a phone the menu folds behind a button, so the page (the map) starts in the first screen.
  const header = document.querySelector(".site-header");
  const button = header && header.querySelector(".menu-button");
  if (button) {
    header.classList.add("has-menu");
    button.hidden = false;
    button.addEventListener("click", () => {
      const open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      header.classList.toggle("menu-open", open);
    });
  }
});
