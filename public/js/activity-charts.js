// Draws the activity charts from the figures already in the page's tables, so the page
// needs no second request and the tables remain the accessible source of the data.
(function () {
  'use strict';
  if (typeof window.Chart !== 'function') return;
  // Okabe and Ito's colour-blind-safe palette. Colours never repeat: apps beyond it are
  // drawn together as "Other apps" in grey.
  var palette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
  var otherColour = '#9aa3ad';

  var names = {};
  var appRows = Array.prototype.slice.call(document.querySelectorAll('#apps-table tbody tr[data-app]'));
  appRows.forEach(function (row) {
    names[row.dataset.app] = row.dataset.name;
  });

  var daily = document.getElementById('daily-chart');
  if (daily) {
    // Every day of the period, so that days without events show as zero, not as missing.
    var days = (daily.dataset.days || '').split(',').filter(Boolean);
    var totals = {};
    var counts = {};
    document.querySelectorAll('#daily-table tbody tr[data-day]').forEach(function (row) {
      counts[row.dataset.app + '|' + row.dataset.day] = Number(row.dataset.total);
      totals[row.dataset.app] = (totals[row.dataset.app] || 0) + Number(row.dataset.total);
    });
    var apps = Object.keys(totals).sort(function (a, b) {
      return totals[b] - totals[a];
    });
    var shown = apps.slice(0, apps.length > palette.length ? palette.length - 1 : palette.length);
    var others = apps.slice(shown.length);
    var series = shown.map(function (app, i) {
      return {
        label: names[app] || app,
        backgroundColor: palette[i],
        data: days.map(function (day) {
          return counts[app + '|' + day] || 0;
        }),
      };
    });
    if (others.length) {
      series.push({
        label: 'Other apps (' + others.length + ')',
        backgroundColor: otherColour,
        data: days.map(function (day) {
          return others.reduce(function (sum, app) {
            return sum + (counts[app + '|' + day] || 0);
          }, 0);
        }),
      });
    }
    new window.Chart(daily, {
      type: 'bar',
      // Days in words on the axis ("3 Nov"), as in the table; the data keeps them as YYYY-MM-DD.
      data: {
        labels: days.map(function (day) {
          return new Date(day + 'T00:00:00Z').toLocaleDateString('en-GB', {
            day: 'numeric',
            month: 'short',
            timeZone: 'UTC',
          });
        }),
        datasets: series,
      },
      options: {
        animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
      },
    });
  }

  var refusals = document.getElementById('refusals-chart');
  if (refusals) {
    new window.Chart(refusals, {
      type: 'bar',
      data: {
        labels: appRows.map(function (row) {
          return row.dataset.name;
        }),
        datasets: [
          {
            label: 'Refused or failed',
            backgroundColor: '#D55E00',
            data: appRows.map(function (row) {
              return Number(row.dataset.failure);
            }),
          },
          {
            label: 'All events',
            backgroundColor: '#56B4E9',
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
