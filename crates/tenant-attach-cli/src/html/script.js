// Sorting and filtering of the access matrix; on printing, the closed lists outside the
// matrix open (and close again after). The page is complete without it; it reads the
// table from the DOM and never holds a name of its own.
(function () {
  "use strict";
  var opened = [];
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("section:not(#access) details:not([open])"), function (d) {
      d.open = true;
      opened.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
  var table = document.getElementById("matrix");
  var filter = document.getElementById("matrix-filter");
  if (!table || !filter) { return; }
  var body = table.tBodies[0];
  document.getElementById("matrix-tools").hidden = false;
  filter.addEventListener("input", function () {
    var q = filter.value.toLowerCase();
    Array.prototype.forEach.call(body.rows, function (row) {
      row.hidden = q !== "" && row.cells[0].textContent.toLowerCase().indexOf(q) < 0;
    });
  });
  var headers = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(headers, function (th, col) {
    if (col === 0) { return; }
    th.title = (th.title ? th.title + " · " : "") + "click to sort";
    th.addEventListener("click", function () {
      var down = th.getAttribute("data-sorted") !== "down";
      Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("data-sorted"); });
      th.setAttribute("data-sorted", down ? "down" : "up");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = Number(a.cells[col].getAttribute("data-n")) || 0;
        var y = Number(b.cells[col].getAttribute("data-n")) || 0;
        return down ? y - x : x - y;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
})();
