// posture site: progressive enhancement only. Every page works without this file; it adds a
// filter box and click-to-sort headers to each table marked data-sortable. No eval, no inline
// code, nothing loaded: it runs under the pages' Content-Security-Policy (script-src 'self').
(function () {
  'use strict';

  var counter = 0;

  function cellText(cell) {
    if (!cell) return '';
    var key = cell.getAttribute('data-sort');
    if (key !== null) return key;
    return (cell.textContent || '').replace(/\s+/g, ' ').trim();
  }

  function compare(a, b) {
    var na = parseFloat(a);
    var nb = parseFloat(b);
    var numeric = /^-?\d+(\.\d+)?/;
    if (numeric.test(a) && numeric.test(b) && !isNaN(na) && !isNaN(nb) && na !== nb) {
      return na - nb;
    }
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' });
  }

  // The body rows of a table (those of every tbody), not the header.
  function bodyRows(table) {
    var rows = [];
    for (var i = 0; i < table.tBodies.length; i++) {
      var body = table.tBodies[i];
      for (var j = 0; j < body.rows.length; j++) rows.push(body.rows[j]);
    }
    return rows;
  }

  // A row the table's own structure needs (an empty-table note), which sorting leaves alone.
  function isDataRow(row, columns) {
    return row.cells.length === columns;
  }

  function headerCells(table) {
    var head = table.tHead;
    if (!head || head.rows.length === 0) return [];
    var row = head.rows[head.rows.length - 1];
    return Array.prototype.slice.call(row.cells);
  }

  function makeSortable(table, headers) {
    var columns = headers.length;
    var state = { column: -1, ascending: true };
    headers.forEach(function (th, index) {
      if (th.getAttribute('colspan') && th.getAttribute('colspan') !== '1') return;
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'sort-button';
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener('click', function () {
        var ascending = state.column === index ? !state.ascending : true;
        state.column = index;
        state.ascending = ascending;
        headers.forEach(function (other) { other.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        for (var b = 0; b < table.tBodies.length; b++) {
          var body = table.tBodies[b];
          var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return isDataRow(r, columns); });
          var keyed = rows.map(function (row, i) {
            return { row: row, key: cellText(row.cells[index]), i: i };
          });
          keyed.sort(function (x, y) {
            var c = compare(x.key, y.key);
            if (c === 0) return x.i - y.i;
            return ascending ? c : -c;
          });
          keyed.forEach(function (k) { body.appendChild(k.row); });
        }
      });
    });
  }

  function addFilter(table, headers) {
    var columns = headers.length;
    counter += 1;
    var id = 'table-filter-' + counter;
    var wrap = document.createElement('div');
    wrap.className = 'table-filter';
    var label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = 'Filter rows';
    var input = document.createElement('input');
    input.type = 'search';
    input.id = id;
    input.autocomplete = 'off';
    input.placeholder = 'text in any column';
    var count = document.createElement('span');
    count.className = 'filter-count';
    count.setAttribute('aria-live', 'polite');
    wrap.appendChild(label);
    wrap.appendChild(input);
    wrap.appendChild(count);

    var anchor = table.parentElement && table.parentElement.classList.contains('table-wrap')
      ? table.parentElement
      : table;
    anchor.parentNode.insertBefore(wrap, anchor);

    var rows = bodyRows(table).filter(function (r) { return isDataRow(r, columns); });
    input.addEventListener('input', function () {
      var needle = input.value.toLowerCase().trim();
      var shown = 0;
      rows.forEach(function (row) {
        var hit = needle === '' || (row.textContent || '').toLowerCase().indexOf(needle) !== -1;
        row.hidden = !hit;
        if (hit) shown += 1;
      });
      count.textContent = needle === '' ? '' : shown + ' of ' + rows.length + ' rows';
    });
  }

  function enhance() {
    var tables = document.querySelectorAll('table[data-sortable]');
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      try {
        var headers = headerCells(table);
        if (headers.length === 0) continue;
        addFilter(table, headers);
        makeSortable(table, headers);
      } catch (e) {
        // Enhancement is optional: leave the table as the page rendered it.
      }
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', enhance);
  } else {
    enhance();
  }
})();
