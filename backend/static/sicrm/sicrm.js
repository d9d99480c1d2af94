/* sicrm page behaviours, loaded by every page (base.html). The Content-Security-Policy allows no inline
   script, so templates mark elements with data attributes and this file wires them up:
   - data-autosubmit on a form control: submit its form when the value changes;
   - data-confirm="message" on a form: ask before submitting;
   - data-plotly="<id of a json_script element>" on a div: draw that Plotly figure (backend/core/charts.py);
   - data-select-all="<name>" on a checkbox: tick or untick every checkbox of that name in its form (and follow
     them: ticked when all are, half-ticked when some are). */
(function () {
  "use strict";

  function drawCharts(root) {
    if (typeof window.Plotly === "undefined") { return; }
    root.querySelectorAll("[data-plotly]").forEach(function (div) {
      if (div.dataset.plotlyDrawn) { return; }
      var source = document.getElementById(div.dataset.plotly);
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      div.dataset.plotlyDrawn = "1";
      window.Plotly.newPlot(div, figure.data, figure.layout, figure.config);
    });
  }

  function boxesNamed(form, name) {
    return Array.prototype.filter.call(form.querySelectorAll("input[type=checkbox]"), function (box) {
      return box.name === name;
    });
  }

  document.addEventListener("change", function (event) {
    var control = event.target;
    if (control.matches && control.matches("[data-autosubmit]") && control.form) {
      control.form.requestSubmit ? control.form.requestSubmit() : control.form.submit();
    }
    if (control.matches && control.matches("[data-select-all]") && control.form) {
      boxesNamed(control.form, control.dataset.selectAll).forEach(function (box) { box.checked = control.checked; });
    } else if (control.form && control.type === "checkbox" && control.name) {
      control.form.querySelectorAll("[data-select-all]").forEach(function (all) {
        if (all.dataset.selectAll !== control.name) { return; }
        var boxes = boxesNamed(control.form, control.name);
        var ticked = boxes.filter(function (box) { return box.checked; }).length;
        all.checked = ticked === boxes.length;
        all.indeterminate = ticked > 0 && ticked < boxes.length;
      });
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:load", function (event) { drawCharts(event.detail.elt); });
})();
