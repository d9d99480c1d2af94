// Report pages: draw the Plotly figures whose JSON the page carries (no inline script, CSP-friendly), and sort a
// table when its column header is clicked (numbers as numbers, empty cells last).
(function () {
  "use strict";

  function drawFigures() {
    var holder = document.getElementById("report-figures");
    if (!holder || typeof Plotly === "undefined") { return; }
    var figures = JSON.parse(holder.textContent);
    Object.keys(figures).forEach(function (id) {
      var target = document.getElementById(id);
      if (!target) { return; }
      var figure = figures[id];
      var layout = Object.assign({}, figure.layout || {}, { autosize: true, height: 320 });
      Plotly.newPlot(target, figure.data || [], layout, { responsive: true, displaylogo: false });
    });
  }

  function cellValue(row, index, numeric) {
    var cell = row.children[index];
    var raw = cell ? cell.getAttribute("data-value") : "";
    if (raw === null || raw === "") { return null; }
    return numeric ? parseFloat(raw) : raw;
  }

  function sortTable(header) {
    var table = header.closest("table");
    var th = header.closest("th");
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = ["int", "money", "percent", "days", "score", "ratio"].indexOf(header.getAttribute("data-kind")) >= 0;
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
      if (x === null && y === null) { return 0; }
      if (x === null) { return 1; }
      if (y === null) { return -1; }
      var order = numeric ? x - y : String(x).localeCompare(String(y), document.documentElement.lang);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(th.parentNode.children, function (other) { other.setAttribute("aria-sort", "none"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  document.addEventListener("click", function (event) {
    var header = event.target.closest ? event.target.closest("table.report-table th button") : null;
    if (header) { sortTable(header); }
  });
  document.addEventListener("DOMContentLoaded", drawFigures);
})();
