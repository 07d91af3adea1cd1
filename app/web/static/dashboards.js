/* Dashboards: draw the charts whose data the page carries (#dashboard-data), with Chart.js from /vendor. */
(function () {
  "use strict";
  const source = document.getElementById("dashboard-data");
  if (!source || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  const css = getComputedStyle(document.documentElement);
  const color = (name, fallback) => (css.getPropertyValue(name) || fallback).trim();
  const palette = {
    enrolled: color("--ok", "#1a7f37"), applying: color("--brand", "#0f6e5c"), listed: "#7fb8ab",
    escalated: color("--warn", "#b7791f"), out_of_scope: "#9aa5b1", claims: color("--brand", "#0f6e5c"),
    overdue: color("--danger", "#b42318"), days: color("--accent", "#c8553d"), assessed: "#9aa5b1",
    collected: color("--brand", "#0f6e5c"),
  };
  Chart.defaults.font.family = css.fontFamily;
  Chart.defaults.color = color("--muted", "#5d6b78");

  function draw(id, type, chart, options) {
    const canvas = document.getElementById("chart-" + id);
    if (!canvas || !chart) return;
    const datasets = chart.series.map((s) => ({
      label: s.label, data: s.data, backgroundColor: palette[s.key], borderColor: palette[s.key],
      borderWidth: type === "line" ? 2 : 0, tension: 0.25, pointRadius: 3, maxBarThickness: 48,
    }));
    new Chart(canvas, {
      type, data: { labels: chart.labels, datasets },
      options: Object.assign({
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: datasets.length > 1, position: "bottom" } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      }, options || {}),
    });
  }

  const single = data.coverage.labels.length === 1;
  if (single) {
    // One region: its outlets by status as a doughnut.
    const canvas = document.getElementById("chart-coverage");
    if (canvas) {
      const series = data.coverage.series.filter((s) => s.data[0] > 0);
      new Chart(canvas, {
        type: "doughnut",
        data: { labels: series.map((s) => s.label),
                datasets: [{ data: series.map((s) => s.data[0]), backgroundColor: series.map((s) => palette[s.key]) }] },
        options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { position: "right" } } },
      });
    }
  } else {
    draw("coverage", "bar", data.coverage, {
      plugins: { legend: { position: "bottom" } },
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
    });
  }
  draw("claims", "bar", data.claims);
  draw("overdue", "bar", data.overdue, { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } });
  draw("days", "bar", data.days, { scales: { y: { beginAtZero: true } } });
  draw("contributions", "bar", data.contributions, { scales: { y: { beginAtZero: true } } });

  const region = document.getElementById("region");
  if (region) {
    region.addEventListener("change", () => region.form.submit());
    region.form.querySelectorAll(".no-js").forEach((b) => (b.hidden = true));
  }
})();
