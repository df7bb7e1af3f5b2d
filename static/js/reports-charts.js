// Draws the charts of a page with ECharts from JSON the server wrote with json_script, so no inline script is needed
// (the Content Security Policy allows none). Load ECharts first, both deferred:
//
//   <script src="{% static 'vendor/echarts/echarts.min.js' %}" defer></script>
//   <script src="{% static 'js/reports-charts.js' %}" defer></script>
//
// A chart is an element naming its data, and the data:
//
//   <div data-chart="flow-data" role="img" aria-label="…what the chart shows…"></div>
//   {{ spec|json_script:"flow-data" }}
//
// spec = {
//   kind: "line" | "bar",          the series' kind unless a series says otherwise (default "line")
//   categories: ["10-01", …],      the x axis, oldest first
//   series: [{name: "Received", data: [3, 0, null, …], kind?: "bar", stack?: "tickets"}],   null: no figure
//   unit?: "%",                    written after the values on the axis and in the tooltip
//   min?: 0, max?: 100,            the y axis range (default: from the data)
//   decimals?: 1,                  the tooltip's decimals (default: the value as given)
//   integers?: true,               counts: the y axis steps by whole numbers
//   height?: 280                   pixels (default 280; the width is the element's)
// }
//
// Give each chart its figures as a table too (screen readers, print, no script). A <details data-chart-table>
// holding that table is opened while the page prints and closed again after. Once drawn, the element gets
// data-chart-drawn="true" (tests wait for it); a spec that cannot be read leaves the element as it is and says so
// in the console.
(() => {
  const DEFAULT_HEIGHT = 280;
  const charts = [];

  function readSpec(element) {
    const source = document.getElementById(element.dataset.chart);
    if (!source) throw new Error(`no JSON element with id "${element.dataset.chart}"`);
    const spec = JSON.parse(source.textContent);
    if (!Array.isArray(spec.categories) || !Array.isArray(spec.series)) {
      throw new Error(`chart data "${element.dataset.chart}" needs categories and series`);
    }
    return spec;
  }

  function format(value, spec) {
    if (value === null || value === undefined) return "—";
    const number = typeof spec.decimals === "number" ? value.toFixed(spec.decimals) : String(value);
    return spec.unit ? `${number}${spec.unit}` : number;
  }

  function option(spec) {
    const kind = spec.kind || "line";
    return {
      animation: false,
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", valueFormatter: (value) => format(value, spec) },
      xAxis: { type: "category", data: spec.categories },
      yAxis: {
        type: "value",
        min: spec.min,
        max: spec.max,
        minInterval: spec.integers ? 1 : undefined,
        axisLabel: { formatter: (value) => (spec.unit ? `${value}${spec.unit}` : `${value}`) },
      },
      series: spec.series.map((series) => ({
        name: series.name,
        type: series.kind || kind,
        data: series.data,
        stack: series.stack,
        connectNulls: false,
        showSymbol: true,
      })),
    };
  }

  function draw(element) {
    try {
      const spec = readSpec(element);
      // CSSOM, not a style attribute: the Content Security Policy allows it.
      element.style.height = `${Number(spec.height) || DEFAULT_HEIGHT}px`;
      const chart = window.echarts.init(element, null, { renderer: "canvas" });
      chart.setOption(option(spec));
      charts.push(chart);
      element.dataset.chartDrawn = "true";
    } catch (error) {
      console.warn(`Chart not drawn: ${error.message}`);
    }
  }

  function resizeAll() {
    charts.forEach((chart) => chart.resize());
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (!window.echarts) {
      console.warn("ECharts is not loaded: the charts' tables stand in for them.");
      return;
    }
    document.querySelectorAll("[data-chart]").forEach(draw);
  });

  window.addEventListener("resize", resizeAll);

  // Printing shows each chart's table as well; what was closed is closed again afterwards.
  const openedForPrint = [];
  window.addEventListener("beforeprint", () => {
    document.querySelectorAll("details[data-chart-table]:not([open])").forEach((details) => {
      details.open = true;
      openedForPrint.push(details);
    });
    resizeAll();
  });
  window.addEventListener("afterprint", () => {
    openedForPrint.splice(0).forEach((details) => {
      details.open = false;
    });
    resizeAll();
  });
})();
