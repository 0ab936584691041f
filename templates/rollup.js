'use strict';
(function () {
  // The roll-up's drill-down. Aggregates are in the page already; host rows ride as JSON per unit (hosts-N) and are
  // built here when a unit opens, with textContent only: nothing from a host, site or unit is ever parsed as HTML.
  var meta = JSON.parse(document.getElementById('rollup-data').textContent);
  var L = meta.labels;
  var lang = document.documentElement.lang;
  var nf = new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', {maximumFractionDigits: 1});
  var drill = document.getElementById('drill');
  var byPath = new Map(meta.units.map(function (u, i) { return [u.p, i]; }));
  var parsed = {};
  var current = -1;
  var panel = null;
  /** Host rows built at a time. */
  var PAGE = 500;

  function bucket(i) {
    if (!(i in parsed)) {
      var e = document.getElementById('hosts-' + i);
      parsed[i] = e ? JSON.parse(e.textContent) : [];
    }
    return parsed[i];
  }
  /** The unit and every unit below it, each once. */
  function subtree(i) {
    var out = [];
    var seen = new Set();
    (function walk(j) {
      if (seen.has(j) || !meta.units[j]) return;
      seen.add(j);
      out.push(j);
      meta.units[j].c.forEach(walk);
    })(i);
    return out;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function num(n) { return n === null || n === undefined ? '–' : nf.format(n); }
  function pct(n) { return n === null || n === undefined ? '–' : nf.format(n) + ' %'; }
  function str(i) { return i === null || i === undefined ? '' : meta.strings[i]; }
  function unitHref(i) { return '#unit=' + encodeURIComponent(meta.units[i].p); }
  function unitLink(i) {
    var a = el('a', 'unit-link', meta.units[i].n);
    a.href = unitHref(i);
    a.title = meta.units[i].p;
    return a;
  }
  /** A score never without its coverage. */
  function scorePair(parent, score, cov) {
    parent.appendChild(el('span', 'score', L['col.score'] + ' ' + num(score)));
    parent.appendChild(document.createTextNode(' · '));
    parent.appendChild(el('span', 'coverage' + (cov === null || cov < meta.minCoverage ? ' low' : ''), L['col.coverage'] + ' ' + pct(cov)));
  }
  function kv(parent, pairs) {
    var dl = el('dl', 'kv');
    pairs.forEach(function (p) {
      if (p[1] === undefined || p[1] === null || p[1] === '') return;
      dl.appendChild(el('dt', '', p[0]));
      var dd = el('dd');
      if (p[1] instanceof Node) dd.appendChild(p[1]); else dd.textContent = String(p[1]);
      dl.appendChild(dd);
    });
    parent.appendChild(dl);
  }
  function severities(counts) {
    var span = el('span');
    meta.sev.forEach(function (s, i) {
      span.appendChild(el('span', 'sev sev-' + s, L['sev.' + s] + ' ' + num(counts[i])));
      span.appendChild(document.createTextNode(' '));
    });
    return span;
  }

  function hostDetail(unit, b, k) {
    var h = bucket(b)[k];
    if (!h) return el('p', 'note', L['rollup.hostUnknown']);
    // [name, site, status, reason, collected at, score, coverage, insufficient, failed by severity, failing, os, kernel, skew]
    var site = meta.sites[h[1]] || ['', ''];
    var box = el('div', 'host-panel');
    var title = el('h3', '', L['rollup.host'] + ': ' + h[0]);
    title.id = 'host-title';
    box.appendChild(title);
    var score = el('span');
    scorePair(score, h[5], h[6]);
    kv(box, [
      [L['col.status'], L['host.' + h[2]] || h[2]],
      [L['col.reason'], str(h[3])],
      [L['col.score'], score],
      [L['rollup.insufficientReason'], str(h[7])],
      [L['rollup.failed'], severities(h[8])],
      [L['rollup.unit'], meta.units[b].n],
      [L['rollup.site'], site[0]],
      [L['rollup.run'], site[1]],
      [L['col.collected'], str(h[4])],
      [L['col.os'], str(h[10])],
      [L['rollup.kernel'], str(h[11])],
      [L['rollup.skew'], h[12] === null ? '' : num(h[12]) + ' ms'],
    ]);
    box.appendChild(el('h4', '', L['rollup.failing']));
    var failing = h[9].map(function (c) { return meta.checks[c] || ['?', 'info', '?']; });
    failing.sort(function (x, y) { return meta.sev.indexOf(x[1]) - meta.sev.indexOf(y[1]) || String(x[2]).localeCompare(String(y[2]), lang); });
    if (!failing.length) box.appendChild(el('p', 'note', L['rollup.noFailing']));
    var ul = el('ul', 'failing');
    failing.forEach(function (c) {
      var li = el('li');
      li.appendChild(el('span', 'sev sev-' + c[1], L['sev.' + c[1]] || c[1]));
      li.appendChild(document.createTextNode(' '));
      li.appendChild(el('span', 'check-title', c[2]));
      li.appendChild(document.createTextNode(' '));
      li.appendChild(el('code', '', c[0]));
      ul.appendChild(li);
    });
    box.appendChild(ul);
    return box;
  }

  function hostRow(b, k) {
    var h = bucket(b)[k];
    var r = document.createElement('tr');
    r.setAttribute('data-h', b + '.' + k);
    var btn = el('button', 'open host-open', h[0]);
    btn.type = 'button';
    r.insertCell().appendChild(btn);
    r.insertCell().textContent = meta.units[b].n;
    r.insertCell().textContent = (meta.sites[h[1]] || [''])[0];
    var st = r.insertCell();
    st.textContent = L['host.' + h[2]] || h[2];
    if (h[7] !== null) { st.appendChild(document.createTextNode(' · ')); st.appendChild(el('span', 'warn', L['rollup.insufficient'])); st.title = str(h[7]); }
    var sc = r.insertCell(); sc.className = 'num score'; sc.textContent = num(h[5]);
    var cv = r.insertCell(); cv.className = 'num coverage' + (h[6] === null || h[6] < meta.minCoverage ? ' low' : ''); cv.textContent = pct(h[6]);
    h[8].forEach(function (n) { var c = r.insertCell(); c.className = 'num' + (n ? ' bad' : ''); c.textContent = num(n); });
    r.insertCell().textContent = str(h[10]);
    r.insertCell().textContent = str(h[4]);
    return r;
  }

  function hostTable(units) {
    var t = el('table', 'hosts');
    t.id = 'drill-hosts';
    var hr = t.createTHead().insertRow();
    [L['col.host'], L['rollup.unit'], L['rollup.site'], L['col.status'], L['col.score'], L['col.coverage']].forEach(function (x) { hr.appendChild(el('th', '', x)); });
    meta.sev.forEach(function (s) { var th = el('th', 'num'); th.appendChild(el('span', 'sev sev-' + s, L['sev.' + s])); hr.appendChild(th); });
    [L['col.os'], L['col.collected']].forEach(function (x) { hr.appendChild(el('th', '', x)); });
    var tb = t.createTBody();
    // a unit's hosts in pages: a ministry of 20,000 hosts opens as fast as a province of 200
    var all = [];
    units.forEach(function (b) { bucket(b).forEach(function (h, k) { all.push([b, k]); }); });
    var shown = 0;
    var more = el('button', 'more no-print');
    more.type = 'button';
    function page() {
      var frag = document.createDocumentFragment();
      all.slice(shown, shown + PAGE).forEach(function (bk) { frag.appendChild(hostRow(bk[0], bk[1])); });
      tb.appendChild(frag);
      shown = Math.min(all.length, shown + PAGE);
      more.textContent = L['rollup.more'].replace('%n', num(Math.min(PAGE, all.length - shown))).replace('%m', num(all.length - shown));
      more.hidden = shown >= all.length;
    }
    more.addEventListener('click', page);
    page();
    tb.addEventListener('click', function (ev) {
      var b = ev.target.closest('button.host-open');
      if (!b) return;
      location.hash = unitHref(current).slice(1) + '&host=' + b.closest('tr').getAttribute('data-h');
    });
    return {table: t, more: more};
  }

  function showUnit(i) {
    var u = meta.units[i];
    current = i;
    var body = document.createDocumentFragment();
    var title = el('h2', '', L['rollup.drill'] + ': ' + u.n);
    title.id = 'drill-title';
    body.appendChild(title);
    body.appendChild(el('p', 'note', u.p));
    var figures = el('p', 'figures');
    scorePair(figures, u.s, u.cv);
    body.appendChild(figures);
    kv(body, [
      [L['rollup.rank'], num(u.r)],
      [L['rollup.hostsTotal'], num(u.h[0])],
      [L['rollup.collected'], num(u.h[1])],
      [L['rollup.notCollected'], num(u.h[2])],
      [L['rollup.insufficient'], num(u.h[3])],
      [L['rollup.failed'], severities(u.f)],
      [L['rollup.sites'], u.si.join(', ')],
      [L['rollup.oldest'], u.o],
      [L['rollup.age'], u.a === null ? null : num(u.a) + (u.st ? ' · ' + L['rollup.stale'] : '')],
    ]);
    if (u.c.length) {
      body.appendChild(el('h3', '', L['rollup.children']));
      var ul = el('ul', 'children');
      u.c.forEach(function (c) {
        var li = el('li');
        li.appendChild(unitLink(c));
        li.appendChild(document.createTextNode(' — '));
        scorePair(li, meta.units[c].s, meta.units[c].cv);
        li.appendChild(document.createTextNode(' · ' + num(meta.units[c].h[0]) + ' ' + L['rollup.hostsWord']));
        ul.appendChild(li);
      });
      body.appendChild(ul);
    }
    panel = el('div');
    panel.id = 'host-detail';
    body.appendChild(panel);
    var units = subtree(i);
    var n = units.reduce(function (s, b) { return s + bucket(b).length; }, 0);
    var head = el('h3', '', L['rollup.hostRows'] + ' (' + num(n) + ')');
    head.id = 'drill-count';
    body.appendChild(head);
    var wrap = el('div', 'scroll');
    var hosts = n ? hostTable(units) : null;
    wrap.appendChild(hosts ? hosts.table : el('p', 'note', L['rollup.noHosts']));
    body.appendChild(wrap);
    if (hosts) body.appendChild(hosts.more);
    drill.replaceChildren(body);
    drill.hidden = false;
  }

  function route() {
    var params = {};
    location.hash.slice(1).split('&').forEach(function (part) {
      var eq = part.indexOf('=');
      if (eq < 0) return;
      try { params[part.slice(0, eq)] = decodeURIComponent(part.slice(eq + 1)); } catch (e) { /* a mangled fragment opens nothing */ }
    });
    if (!('unit' in params)) return;
    var i = byPath.get(params.unit);
    if (i === undefined) {
      current = -1;
      drill.replaceChildren(el('h2', '', L['rollup.drill']), el('p', 'note', L['rollup.unitUnknown'] + ' ' + params.unit));
      drill.hidden = false;
      drill.scrollIntoView();
      return;
    }
    if (i !== current) showUnit(i);
    var m = /^(\d+)\.(\d+)$/.exec(params.host || '');
    panel.replaceChildren();
    if (m) {
      panel.appendChild(hostDetail(i, Number(m[1]), Number(m[2])));
      panel.scrollIntoView();
    } else drill.scrollIntoView();
  }
  window.addEventListener('hashchange', route);
  route();
})();
