// Draw the progress charts from the JSON the page embeds (json_script); the tables beside them
// carry the same numbers for screen readers and for browsers without scripts.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") return;

  const colours = { line: "#0b5f63", baseline: "#8a5a00", bar: "#0b5f63", grid: "#d9e2dd" };

  function read(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function axis(max, title) {
    return {
      min: 0,
      max: max,
      ticks: { stepSize: max === 100 ? 25 : 2 },
      grid: { color: colours.grid },
      title: { display: true, text: title },
    };
  }

  function draw(canvas, config) {
    if (!canvas) return;
    const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    config.options = Object.assign(
      { responsive: true, maintainAspectRatio: false, animation: reduceMotion ? false : undefined },
      config.options
    );
    new window.Chart(canvas, config);
  }

  function drawAll() {
    const data = read("progress-data");
    if (!data) return;
    const pain = data.pain;
    if (pain.values.length) {
      const datasets = [
        {
          label: "Pain now (0-10)",
          data: pain.values,
          borderColor: colours.line,
          backgroundColor: colours.line,
          tension: 0,
        },
      ];
      if (pain.baseline !== null) {
        datasets.push({
          label: "Starting pain",
          data: pain.values.map(function () { return pain.baseline; }),
          borderColor: colours.baseline,
          borderDash: [6, 4],
          pointRadius: 0,
        });
      }
      draw(document.getElementById("chart-pain"), {
        type: "line",
        data: { labels: pain.labels, datasets: datasets },
        options: { scales: { y: axis(10, "Pain (0 = none, 10 = worst)") } },
      });
    }
    if (data.adherence.values.length) {
      draw(document.getElementById("chart-adherence"), {
        type: "bar",
        data: {
          labels: data.adherence.labels,
          datasets: [
            { label: "Sessions done (%)", data: data.adherence.values, backgroundColor: colours.bar },
          ],
        },
        options: { scales: { y: axis(100, "% of sessions") } },
      });
    }
    if (data.psfs.values.length) {
      draw(document.getElementById("chart-psfs"), {
        type: "line",
        data: {
          labels: data.psfs.labels,
          datasets: [
            { label: "Activity score (0-10)", data: data.psfs.values, borderColor: colours.line },
          ],
        },
        options: { scales: { y: axis(10, "0 = unable, 10 = as before") } },
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
