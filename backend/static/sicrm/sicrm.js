/* sicrm page behaviours, loaded by every page (base.html). The Content-Security-Policy allows no inline
   script, so templates mark elements with data attributes and this file wires them up:
   - data-autosubmit on a form control: submit its form when the value changes;
   - data-confirm="message" on a form: ask before submitting;
   - data-plotly="<id of a json_script element>" on a div: draw that Plotly figure (backend/core/charts.py). */
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

  document.addEventListener("change", function (event) {
    var control = event.target;
    if (control.matches && control.matches("[data-autosubmit]") && control.form) {
      control.form.requestSubmit ? control.form.requestSubmit() : control.form.submit();
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
