// The public list's search box: hides the institutions and marks that do not contain what is typed
// (name, id, item, item code, label, scope).  Plain JS served by the hub; nothing is sent anywhere.
(function () {
  'use strict';
  var input = document.getElementById('filter');
  var counter = document.getElementById('filter-count');
  var groups = Array.prototype.slice.call(document.querySelectorAll('#list tbody'));
  var norm = function (s) { return (s || '').toLowerCase().replace(/\s+/g, ' '); };
  var entries = groups.map(function (g) {
    var head = g.querySelector('tr.inst');
    var marks = Array.prototype.slice.call(g.querySelectorAll('tr.mark'));
    return { group: g, head: norm(head && head.textContent), marks: marks.map(function (r) {
      return { row: r, text: norm(r.textContent) };
    }) };
  });
  var sections = Array.prototype.slice.call(document.querySelectorAll('#list table.list'));

  function apply() {
    var words = norm(input.value).trim().split(' ').filter(Boolean);
    var hits = function (text) { return words.every(function (w) { return text.indexOf(w) >= 0; }); };
    var shownInst = 0, shownMarks = 0;
    entries.forEach(function (e) {
      var whole = words.length === 0 || hits(e.head);
      var any = false;
      e.marks.forEach(function (m) {
        var show = whole || hits(e.head + ' ' + m.text);
        m.row.hidden = !show;
        if (show) { any = true; shownMarks += 1; }
      });
      e.group.hidden = !any;
      if (any) shownInst += 1;
    });
    // a city's table, and its heading, disappear when none of its institutions is shown
    sections.forEach(function (t) {
      var visible = Array.prototype.some.call(t.tBodies, function (b) { return !b.hidden; });
      t.hidden = !visible;
      var h = t.previousElementSibling;
      if (h && h.tagName === 'H3') h.hidden = !visible;
    });
    document.querySelectorAll('#list h2.province').forEach(function (h) {
      var n = h.nextElementSibling, visible = false;
      while (n && n.tagName !== 'H2') {
        if (n.tagName === 'TABLE' && !n.hidden) visible = true;
        n = n.nextElementSibling;
      }
      h.hidden = !visible;
    });
    counter.textContent = words.length ? '找到 ' + shownInst + ' 家机构、' + shownMarks + ' 条标识' : '';
  }

  if (input) {
    input.addEventListener('input', apply);
    document.addEventListener('keydown', function (ev) {
      if (ev.key === '/' && document.activeElement !== input) { ev.preventDefault(); input.focus(); }
    });
    if (input.value) apply();
  }
  var print = document.getElementById('print');
  if (print) print.addEventListener('click', function () { window.print(); });
  // choosing a region shows it at once (the 查看 button stays for keyboards and no-JS browsers)
  var region = document.getElementById('region');
  if (region && region.form) region.addEventListener('change', function () { region.form.submit(); });
}());
