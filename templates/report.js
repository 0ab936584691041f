'use strict';
(function () {
  var data = JSON.parse(document.getElementById('host-data').textContent);
  var L = data.labels;
  var STATUS = {f: 'fail', u: 'unknown', w: 'waived'};
  var table = document.getElementById('host-table');
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var filter = document.getElementById('filter');
  var category = document.getElementById('category');
  var shown = document.getElementById('shown');
  var texts = null;
  var nf = new Intl.NumberFormat(document.documentElement.lang === 'vi' ? 'vi-VN' : 'en-GB');

  function cellValue(row, col, numeric) {
    var cell = row.cells[col];
    if (numeric) return Number(cell.getAttribute('data-v'));
    return cell.textContent.trim().toLocaleLowerCase();
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    th.querySelector('button').addEventListener('click', function () {
      var numeric = th.getAttribute('data-key') === 'num';
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (o) { o.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      var keyed = rows.map(function (r) { return [cellValue(r, col, numeric), r]; });
      keyed.sort(function (a, b) {
        var c = numeric ? a[0] - b[0] : String(a[0]).localeCompare(String(b[0]), document.documentElement.lang, {numeric: true});
        return asc ? c : -c;
      });
      rows = keyed.map(function (k) { return k[1]; });
      var frag = document.createDocumentFragment();
      rows.forEach(function (r) { frag.appendChild(r); });
      tbody.appendChild(frag);
    });
  });

  // Vietnamese typed with or without its marks finds the same hosts: "chua thu thap" matches "Chưa thu thập".
  function fold(s) {
    return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLocaleLowerCase();
  }
  function applyFilter() {
    if (!texts) texts = new Map(rows.map(function (r) { return [r, fold(r.textContent)]; }));
    var words = fold(filter.value).split(/\s+/).filter(Boolean);
    var cat = category.value;
    var n = 0;
    rows.forEach(function (r) {
      var t = texts.get(r);
      var ok = (!cat || r.getAttribute('data-cat') === cat) && words.every(function (w) { return t.indexOf(w) >= 0; });
      r.classList.toggle('hidden', !ok);
      if (ok) n++;
    });
    shown.textContent = nf.format(n) + ' ' + shown.getAttribute('data-of') + ' ' + nf.format(rows.length) + ' ' + shown.getAttribute('data-label');
  }
  filter.addEventListener('input', applyFilter);
  category.addEventListener('change', applyFilter);

  // Host details, drawn on demand with textContent only: nothing from a host is ever parsed as HTML.
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  // a reason: words as text, values (between U+E000 and U+E001) as code
  function reason(text) {
    var p = el('p', 'reason');
    String(text).split(/(\uE000[^\uE001]*\uE001)/).forEach(function (part) {
      if (!part) return;
      if (part.charAt(0) === '\uE000') p.appendChild(el('code', 'v', part.slice(1, -1)));
      else p.appendChild(document.createTextNode(part));
    });
    return p;
  }
  function kv(parent, pairs) {
    var dl = el('dl', 'kv');
    pairs.forEach(function (p) {
      if (p[1] === undefined || p[1] === null || p[1] === '') return;
      dl.appendChild(el('dt', '', p[0]));
      dl.appendChild(el('dd', '', p[1]));
    });
    parent.appendChild(dl);
  }
  function list(parent, head, items) {
    if (!items.length) return;
    var t = el('table');
    var hr = t.createTHead().insertRow();
    head.forEach(function (h) { hr.appendChild(el('th', '', h)); });
    var b = t.createTBody();
    items.forEach(function (it) { var r = b.insertRow(); it.forEach(function (v) { r.insertCell().textContent = v === null || v === undefined ? '' : String(v); }); });
    parent.appendChild(t);
  }
  // what a review asks first: each part only when its section was read (absent: not read, said as such)
  function review(body, rv) {
    var notRead = L['rv.notRead'];
    body.appendChild(el('h3', '', L['rv.jobs']));
    if (!rv.jobs) body.appendChild(el('p', 'note', notRead));
    else if (!rv.jobs.length) body.appendChild(el('p', 'note', L['rv.none']));
    else list(body, [L['rv.user'], L['rv.schedule'], L['rv.command'], L['rv.source'], L['rv.next']], rv.jobs.map(function (j) { return [j.user, j.schedule, j.command + (j.worldWritable ? ' — ' + L['rv.worldWritable'] : ''), j.source, j.next || '']; }));
    var backup = rv.backup === undefined ? L['rv.backupUnknown'] : rv.backup.length ? rv.backup.map(function (b) { return b.tool + ' (' + b.where + ')'; }).join(', ') : L['rv.backupNone'];
    var bp = el('p', 'review-backup ' + (rv.backup && rv.backup.length ? 'good-news' : 'res ' + (rv.backup ? 'fail' : 'unknown')));
    bp.appendChild(el('strong', '', L['rv.backup'] + ': '));
    bp.appendChild(document.createTextNode(backup));
    body.appendChild(bp);
    body.appendChild(el('h3', '', L['rv.unusedAccounts'] + (rv.unusedAccounts ? ' (' + L['rv.idleMore'] + ' ' + rv.unusedAccounts.idleDays + ' ' + L['rv.days'] + ')' : '')));
    if (!rv.unusedAccounts) body.appendChild(el('p', 'note', notRead));
    else {
      if (!rv.unusedAccounts.accounts.length) body.appendChild(el('p', 'note', L['rv.none']));
      else list(body, [L['rv.user'], L['rv.lastLogin'], L['rv.days']], rv.unusedAccounts.accounts.map(function (a) { return [a.name, a.lastLogin ? a.lastLogin.slice(0, 10) : L['rv.never'], a.days]; }));
      if (rv.unusedAccounts.undetermined.length) body.appendChild(el('p', 'note', L['rv.undetermined'] + ': ' + rv.unusedAccounts.undetermined.join(', ')));
    }
    body.appendChild(el('h3', '', L['rv.certificates']));
    if (!rv.certificates) body.appendChild(el('p', 'note', notRead));
    else if (!rv.certificates.files.length) body.appendChild(el('p', 'note', L['rv.none']));
    else list(body, [L['rv.path'], L['rv.subject'], L['rv.notAfter'], L['rv.daysLeft'], L['rv.key']], rv.certificates.files.map(function (c) { return [c.path, c.subject || '', c.notAfter ? c.notAfter.slice(0, 10) : '', c.daysLeft === undefined ? '' : c.daysLeft, (c.key || '') + (c.selfSigned ? ' · ' + L['rv.selfSigned'] : '')]; }));
    body.appendChild(el('h3', '', L['rv.sudo']));
    if (!rv.sudo) body.appendChild(el('p', 'note', notRead));
    else if (!rv.sudo.length) body.appendChild(el('p', 'note', L['rv.none']));
    else list(body, [L['rv.who'], L['rv.runAs'], L['rv.command'], L['rv.source']], rv.sudo.flatMap(function (r) { return r.commands.map(function (c) { return [r.who.join(', '), c.runAs || 'root', c.command + (c.noPassword ? ' — ' + L['rv.noPassword'] : ''), r.source]; }); }));
    body.appendChild(el('h3', '', L['rv.storage']));
    if (!rv.storage) body.appendChild(el('p', 'note', notRead));
    else kv(body, [[L['rv.degradedArrays'], rv.storage.degraded.length ? rv.storage.degraded.join(', ') : L['rv.none']], [L['rv.failingDisks'], rv.storage.failingDisks ? (rv.storage.failingDisks.length ? rv.storage.failingDisks.join(', ') : L['rv.none']) : notRead], [L['rv.volumeGroups'], rv.storage.volumeGroups ? rv.storage.volumeGroups.map(function (v) { return v.name + ' ' + Math.round(100 * v.freeBytes / Math.max(1, v.sizeBytes)) + ' % ' + L['rv.free']; }).join(', ') || L['rv.none'] : notRead]]);
    body.appendChild(el('h3', '', L['rv.containers']));
    if (!rv.containers) body.appendChild(el('p', 'note', notRead));
    else if (!rv.containers.length) body.appendChild(el('p', 'note', L['rv.none']));
    else list(body, [L['rv.containers'], L['rv.image'], L['rv.state'], ''], rv.containers.map(function (c) { return [c.name, c.image, c.state || '', [c.privileged ? L['rv.privileged'] : '', c.hostNetwork ? L['rv.hostNetwork'] : '', c.engineSocket ? L['rv.engineSocket'] : ''].filter(Boolean).join(', ')]; }));
    body.appendChild(el('h3', '', L['rv.sources']));
    if (!rv.sources) body.appendChild(el('p', 'note', notRead));
    else {
      if (!rv.sources.repositories.length) body.appendChild(el('p', 'note', L['rv.none']));
      else list(body, [L['rv.source'], L['rv.uris'], L['rv.suites'], L['rv.signed']], rv.sources.repositories.map(function (r) { return [r.id, r.uris.join(' '), r.suites.join(' '), r.signatureChecked ? L['rv.yes'] : L['rv.no']]; }));
      kv(body, [[L['rv.held'], rv.sources.held ? rv.sources.held.join(', ') || L['rv.none'] : notRead]]);
    }
    body.appendChild(el('h3', '', L['rv.boot']));
    if (!rv.boot) body.appendChild(el('p', 'note', notRead));
    else kv(body, [[L['rv.firmware'], rv.boot.firmware === 'efi' ? 'EFI' : 'BIOS'], [L['rv.secureBoot'], rv.boot.firmware !== 'efi' ? '–' : rv.boot.secureBoot === undefined ? L['common.unknown'] : rv.boot.secureBoot ? L['rv.on'] : L['rv.off']], [L['rv.tpm'], rv.boot.tpm.length ? rv.boot.tpm.join(', ') : L['rv.none']], [L['rv.loaderPassword'], !rv.boot.grub ? '–' : rv.boot.loaderPassword === undefined ? L['common.unknown'] : rv.boot.loaderPassword ? L['rv.yes'] : L['rv.no']]]);
    body.appendChild(el('h3', '', L['rv.passwordPolicy']));
    if (!rv.passwordPolicy) body.appendChild(el('p', 'note', notRead));
    else {
      var pp = rv.passwordPolicy;
      var none = L['rv.notSet'];
      kv(body, [[L['rv.minLength'], pp.minLength === undefined ? none : pp.minLength], [L['rv.minClass'], pp.minClass === undefined ? none : pp.minClass], [L['rv.remember'], pp.remember === undefined ? none : pp.remember], [L['rv.lockout'], pp.deny === undefined ? none : pp.deny + ' · ' + pp.unlockTime + ' s']]);
    }
  }
  // a failed check's fix: [1, file] automatic (the file 'hatang fix' writes), [0, why or null] manual
  function fix(x) {
    var p = el('p', 'fix fix-' + (x[0] ? 'auto' : 'manual'));
    if (x[0]) {
      p.appendChild(el('strong', '', L['detail.fixAuto'] + ': '));
      p.appendChild(el('code', '', x[1]));
      p.appendChild(document.createTextNode(' (hatang fix)'));
    } else {
      p.appendChild(el('strong', '', L['detail.fixManual']));
      p.appendChild(document.createTextNode(x[1] ? ': ' + x[1] : ' — ' + L['detail.fixNoReason']));
    }
    return p;
  }
  function detail(h) {
    var body = el('div');
    var title = el('h2', '', h.n);
    title.id = 'detail-title';
    body.appendChild(title);
    body.appendChild(el('p', 'note', (L['host.' + h.st] || h.st) + (h.why ? ' — ' + h.why : '') + ' · ' + h.at + (h.g.length ? ' · ' + h.g.join(', ') : '') + (h.u ? ' · ' + h.u : '')));
    body.appendChild(el('h3', '', L['detail.findings']));
    if (h.ins) {
      var ins = reason(h.ins);
      ins.className = 'res unknown';
      ins.insertBefore(document.createTextNode(L['cat.insufficient'] + ': '), ins.firstChild);
      body.appendChild(ins);
    }
    if (h.err) body.appendChild(el('p', 'res fail', h.err));
    if (!h.res.length && !h.ins && !h.err) body.appendChild(el('p', 'good-news', L['detail.noFinding']));
    h.res.forEach(function (row) {
      // [check, status letter, reason, note, waiver]: texts are indexes into data.strings
      var r = {c: row[0], st: STATUS[row[1]] || row[1], y: row[2], n: row[3], w: row[4]};
      var c = data.checks[r.c] || {t: '?', r: '', m: '', s: 'info', id: '?'};
      var box = el('div', 'res ' + r.st);
      var head = el('p');
      head.appendChild(el('span', 'sev sev-' + c.s, L['sev.' + c.s]));
      head.appendChild(document.createTextNode(' '));
      head.appendChild(el('span', 'result result-' + r.st, L['status.' + r.st]));
      head.appendChild(document.createTextNode(' '));
      head.appendChild(el('strong', '', c.t));
      head.appendChild(document.createTextNode(' '));
      head.appendChild(el('code', '', c.id));
      box.appendChild(head);
      if (r.y != null) box.appendChild(reason(data.strings[r.y]));
      box.appendChild(el('p', '', L['detail.rationale'] + ': ' + c.r));
      box.appendChild(el('p', '', L['detail.remediation'] + ': ' + c.m));
      if (r.st === 'fail' && c.x) box.appendChild(fix(c.x));
      if (r.w != null) box.appendChild(el('p', '', L['detail.waiver'] + ': ' + data.strings[r.w]));
      if (r.n != null) box.appendChild(el('p', '', L['detail.note'] + ': ' + data.strings[r.n]));
      body.appendChild(box);
    });
    body.appendChild(el('p', 'note', nf.format(h.pass) + ' ' + L['detail.passed'] + ' · ' + L['col.score'] + ' ' + (h.score === null ? '–' : nf.format(h.score)) + ' · ' + L['col.coverage'] + ' ' + (h.cov == null ? '–' : nf.format(h.cov) + ' %')));
    body.appendChild(el('h3', '', L['detail.hardware']));
    var cpu = h.cpu.model ? h.cpu.model + (h.cpu.threads ? ' · ' + h.cpu.threads + ' ' + L['detail.threads'] : '') + (h.cpu.cores ? ' · ' + h.cpu.cores + ' ' + L['detail.cores'] : '') : '';
    kv(body, [[L['detail.vendor'], h.hw.vendor], [L['detail.model'], h.hw.model], [L['detail.serial'], h.hw.serial], [L['detail.bios'], [h.hw.biosVendor, h.hw.biosVersion].filter(Boolean).join(' ')], [L['detail.biosDate'], h.hw.biosDate], [L['detail.virtualization'], h.hw.virtualization], [L['detail.cpu'], cpu], [L['detail.memory'], h.mem]]);
    list(body, [L['detail.disks'], L['col.model'], ''], h.disks);
    list(body, [L['detail.filesystems'], '', '', '% ' + L['detail.used']], h.fs);
    body.appendChild(el('h3', '', L['detail.os']));
    kv(body, [[L['col.os'], h.os.name], [L['detail.kernel'], h.os.kernel], [L['detail.architecture'], h.os.architecture], [L['detail.uptime'], h.os.bootTime], [L['detail.timezone'], h.os.timezone], [L['detail.ips'], h.ips.join(', ')]]);
    body.appendChild(el('h3', '', L['detail.software']));
    kv(body, [[L['detail.packages'], h.pk === null ? L['common.unknown'] : nf.format(h.pk)]]);
    if (h.sv.length) {
      body.appendChild(el('h3', '', L['detail.services']));
      list(body, [L['detail.services'], L['col.status']], h.sv.map(function (s) { return [s[0], L['detail.' + s[1]] || s[1]]; }));
    }
    if (h.rv) review(body, h.rv);
    if (h.sec.length) {
      body.appendChild(el('h3', '', L['detail.sections']));
      list(body, [L['col.section'], L['col.status'], L['col.reason']], h.sec.map(function (x) { return [x[0], L['sec.' + x[1]] || x[1], x[2] === null ? '' : data.strings[x[2]]]; }));
    }
    return body;
  }
  var dialog = document.getElementById('host-detail');
  var target = document.getElementById('detail-body');
  tbody.addEventListener('click', function (ev) {
    var b = ev.target.closest('button.open');
    if (!b) return;
    var h = data.hosts[Number(b.closest('tr').getAttribute('data-i'))];
    target.replaceChildren(detail(h));
    dialog.showModal();
  });
})();
