/* Home-page charts: Apache ECharts (static/vendor/echarts, no CDN) draws each element with
   data-chart from the JSON beside it. A bar whose series has links opens the people behind
   it. Without JavaScript the table under each chart holds the same numbers and links. */
"use strict";

function drawCharts() {
  if (typeof echarts === "undefined") return;
  document.querySelectorAll("[data-chart]").forEach((element) => {
    const source = document.getElementById(element.dataset.chart);
    if (!source) return;
    const { option, links } = JSON.parse(source.textContent);
    const chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption(option);
    element.dataset.drawn = "true";
    if (links && links.length) {
      chart.on("click", (params) => {
        const url = (links[params.seriesIndex] || [])[params.dataIndex];
        if (url) window.location.href = url;
      });
    }
    window.addEventListener("resize", () => chart.resize());
  });
}

document.addEventListener("DOMContentLoaded", drawCharts);
