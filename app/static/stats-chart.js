// Charts of the statistics year page, drawn from the JSON block #stats-chart-data.
// Kept out of the page so the Content-Security-Policy can refuse inline scripts.
(function () {
  var source = document.getElementById("stats-chart-data");
  if (typeof Chart === "undefined" || !source) { return; }  // the tables carry the figures
  var data = JSON.parse(source.textContent);
  var number = new Intl.NumberFormat("vi-VN", {maximumFractionDigits: 1});
  var billions = function (values) { return values.map(function (v) { return v / 1e9; }); };
  Chart.defaults.animation = false;
  new Chart(document.getElementById("chart-aid"), {
    type: "bar",
    data: {
      labels: data.years,
      datasets: [
        {label: "Phê duyệt", data: billions(data.approved_vnd), backgroundColor: "#0d6efd"},
        {label: "Giải ngân", data: billions(data.disbursed_vnd), backgroundColor: "#198754"}
      ]
    },
    options: {
      scales: {y: {beginAtZero: true, ticks: {callback: function (v) { return number.format(v); }}}},
      plugins: {tooltip: {callbacks: {label: function (c) {
        return c.dataset.label + ": " + number.format(c.parsed.y) + " tỷ đồng";
      }}}}
    }
  });
  var money = {scales: {x: {beginAtZero: true, ticks: {callback: function (v) { return number.format(v); }}}},
    indexAxis: "y",
    plugins: {tooltip: {callbacks: {label: function (c) {
      return c.dataset.label + ": " + number.format(c.parsed.x) + " tỷ đồng";
    }}}}};
  new Chart(document.getElementById("chart-sectors"), {
    type: "bar",
    data: {labels: data.sectors, datasets: [
      {label: "Phê duyệt", data: billions(data.sector_vnd), backgroundColor: "#0d6efd"}
    ]},
    options: money
  });
  new Chart(document.getElementById("chart-countries"), {
    type: "bar",
    data: {labels: data.countries, datasets: [
      {label: "Phê duyệt", data: billions(data.country_approved_vnd), backgroundColor: "#0d6efd"},
      {label: "Giải ngân", data: billions(data.country_disbursed_vnd), backgroundColor: "#198754"}
    ]},
    options: money
  });
  new Chart(document.getElementById("chart-months"), {
    type: "bar",
    data: {labels: data.months, datasets: [
      {label: "Đoàn vào", data: data.month_incoming, backgroundColor: "#6f42c1"},
      {label: "Đoàn ra", data: data.month_outgoing, backgroundColor: "#fd7e14"}
    ]},
    options: {scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}
  });
  new Chart(document.getElementById("chart-delegations"), {
    type: "bar",
    data: {
      labels: data.years,
      datasets: [
        {label: "Đoàn vào", data: data.incoming, backgroundColor: "#6f42c1"},
        {label: "Đoàn ra", data: data.outgoing, backgroundColor: "#fd7e14"}
      ]
    },
    options: {scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}
  });
})();
