// Draws the activity charts from the figures already in the page's tables, so the page
// needs no second request and the tables remain the accessible source of the data.
(function () {
  'use strict';
  if (typeof window.Chart !== 'function') return;
  var palette = ['#0b5c4a', '#3b7dd8', '#c26a00', '#7b3fa0', '#b3261e', '#2f8f5b', '#5b6675', '#d4a017'];

  var dailyRows = Array.prototype.slice.call(document.querySelectorAll('#daily-table tbody tr[data-day]'));
  var days = [];
  var apps = [];
  var counts = {};
  dailyRows.forEach(function (row) {
    var day = row.dataset.day;
    var app = row.dataset.app;
    if (days.indexOf(day) < 0) days.push(day);
    if (apps.indexOf(app) < 0) apps.push(app);
    counts[app + '|' + day] = Number(row.dataset.total);
  });
  var daily = document.getElementById('daily-chart');
  if (daily) {
    new window.Chart(daily, {
      type: 'bar',
      data: {
        labels: days,
        datasets: apps.map(function (app, i) {
          return {
            label: app,
            backgroundColor: palette[i % palette.length],
            data: days.map(function (day) {
              return counts[app + '|' + day] || 0;
            }),
          };
        }),
      },
      options: {
        animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
      },
    });
  }

  var appRows = Array.prototype.slice.call(document.querySelectorAll('#apps-table tbody tr[data-app]'));
  var refusals = document.getElementById('refusals-chart');
  if (refusals) {
    new window.Chart(refusals, {
      type: 'bar',
      data: {
        labels: appRows.map(function (row) {
          return row.dataset.app;
        }),
        datasets: [
          {
            label: 'Refused or failed',
            backgroundColor: '#b3261e',
            data: appRows.map(function (row) {
              return Number(row.dataset.failure);
            }),
          },
          {
            label: 'All events',
            backgroundColor: '#9fb3c8',
            data: appRows.map(function (row) {
              return Number(row.dataset.total);
            }),
          },
        ],
      },
      options: { animation: false, indexAxis: 'y', scales: { x: { beginAtZero: true } } },
    });
  }
})();
