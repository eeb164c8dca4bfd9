// cancelflow HTML report: draws the embedded analysis (#cf-data).
// Plain ES2017, no dependencies, nothing fetched. Every string from the trace
// is untrusted: it reaches the page only through textContent (el() below) or
// the canvas, never through innerHTML.
'use strict';
(function () {
  const D = JSON.parse(document.getElementById('cf-data').textContent);
  const stats = { arrows: 0, ignoredArrows: 0, arrowsDropped: 0, lanes: 0, flameNodes: 0, contexts: 0, findings: 0 };
  window.cfReport = stats;

  // ---- DOM helpers (text only) ----
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function add(parent, child) { parent.appendChild(child); return child; }
  // A lane's label within max characters: the goroutine, then its start
  // function without the package path (github.com/x/y/pkg.f -> pkg.f), cut
  // at the front so the function name stays; the Go module's own goroutines
  // are marked.
  function laneLabel(l, max) {
    const head = 'g' + l.g + ' ' + (l.module ? '[cf] ' : '');
    let name = l.name || '';
    const bracket = name.indexOf('[');  // type arguments may hold paths too
    const slash = name.lastIndexOf('/', bracket >= 0 ? bracket : name.length);
    if (slash >= 0) name = name.slice(slash + 1);
    if (head.length + name.length > max) name = '…' + name.slice(name.length - (max - head.length - 1));
    return head + name;
  }

  function fmtNs(ns) {
    if (ns === null || ns === undefined || ns < 0) return '—';
    const a = Math.abs(ns);
    if (a >= 1e9) return (ns / 1e9).toFixed(a >= 1e10 ? 1 : 3) + ' s';
    if (a >= 1e6) return (ns / 1e6).toFixed(a >= 1e7 ? 1 : 3) + ' ms';
    if (a >= 1e3) return (ns / 1e3).toFixed(a >= 1e4 ? 1 : 3) + ' µs';
    return Math.round(ns) + ' ns';
  }
  function site(f) {
    if (!f) return '';
    return f.func + (f.file ? ' ' + f.file + ':' + f.line : '');
  }
  function sameFrame(a, b) { return !!a && !!b && a.func === b.func && a.file === b.file && a.line === b.line; }
  function kv(table, k, v) {
    const tr = add(table, el('tr'));
    add(tr, el('th', null, k));
    add(tr, el('td', null, v));
  }
  const T = D.timeline || { start_ns: 0, end_ns: 0, lanes: [], reasons: [], annotations: [] };
  const t0 = T.start_ns || 0;

  // ---- Summary ----
  function renderSummary() {
    const root = document.getElementById('cf-summary');
    const tr = D.trace || {};
    document.getElementById('cf-trace').textContent =
      (tr.path || '(stdin)') + ' · ' + (tr.version || '?') + ' · ' + fmtNs(tr.duration_ns) + ' · ' + tr.events + ' events';
    const s = D.summary || {};
    let c = add(root, el('div', 'card'));
    c.id = 'cf-sum-cancellations';
    add(c, el('div', 'muted', 'Cancellations'));
    add(c, el('div', 'big', s.cancellations)).dataset.count = String(s.cancellations);
    let t = add(c, el('table'));
    for (const k of Object.keys(s.cancellations_by_kind || {})) kv(t, k, s.cancellations_by_kind[k]);
    c = add(root, el('div', 'card'));
    c.id = 'cf-sum-findings';
    add(c, el('div', 'muted', 'Findings'));
    add(c, el('div', 'big', s.findings)).dataset.count = String(s.findings);
    t = add(c, el('table'));
    for (const k of Object.keys(s.findings_by_rule || {})) {
      const row = add(t, el('tr'));
      row.dataset.rule = k;
      add(row, el('th', 'rule', k));
      add(row, el('td', null, s.findings_by_rule[k]));
    }
    c = add(root, el('div', 'card'));
    c.id = 'cf-sum-quality';
    add(c, el('div', 'muted', 'Data quality'));
    const q = D.data_quality || {};
    t = add(c, el('table'));
    kv(t, 'partial', q.partial ? 'yes: ' + (q.error ? q.error.code + ' at byte ' + q.error.offset + ': ' + q.error.message : '?') : 'no');
    kv(t, 'instrumented', q.instrumented ? 'yes (' + q.instrumentation_records + ' records)' : 'no');
    if (q.records_malformed || q.records_unknown_version) kv(t, 'bad records', q.records_malformed + ' malformed, ' + q.records_unknown_version + ' unknown version');
    kv(t, 'scope', (tr.scope || '?') + (tr.scope_reason ? ': ' + tr.scope_reason : ''));
    if (D.options) kv(t, 'options', D.options.summary || '');
    if (q.leak_profile) kv(t, 'leak profile', q.leak_profile.path + ' (' + q.leak_profile.form + '): ' + q.leak_profile.leaked + ' leaked, ' + q.leak_profile.leaked_joined + ' joined to the trace');
    kv(t, 'starts mid-execution', q.starts_mid_execution ? 'yes' : 'no');
    if (q.goroutines_before_trace) kv(t, 'goroutines before the trace', q.goroutines_before_trace);
    kv(t, 'goroutines seen', q.goroutines_seen);
    kv(t, 'unattributable wake-ups', q.unblocks_without_stack);
    kv(t, 'generations', tr.generations);
    kv(t, 'bytes', tr.bytes);
  }

  // ---- Findings ----
  function renderStack(parent, title, frames, user) {
    const box = add(parent, el('div', 'stack'));
    add(box, el('h3', null, title));
    if (!frames || frames.length === 0) { add(box, el('div', 'muted', '(no stack)')); return; }
    const ol = add(box, el('ol', 'frames'));
    const max = 64;
    frames.slice(0, max).forEach(function (f) {
      const li = add(ol, el('li', sameFrame(f, user) ? 'user' : null));
      add(li, el('span', 'func', f.func));
      add(li, el('span', 'file', '  ' + f.file + ':' + f.line));
    });
    if (frames.length > max) add(box, el('div', 'muted', '… ' + (frames.length - max) + ' more frames'));
  }
  // Set by renderTimeline: shows the lanes of a set of goroutines (a finding
  // card's "show in timeline").
  let showLanes = null;
  function renderFindings() {
    const root = document.getElementById('cf-findings');
    const fs = D.findings || [];
    stats.findings = fs.length;
    if (fs.length === 0) { add(root, el('p', 'muted', 'No findings.')); return; }
    fs.forEach(function (f, i) {
      const card = add(root, el('div', 'finding ' + f.severity));
      card.dataset.rule = f.rule;
      card.id = 'cf-finding-' + i;
      const h = add(card, el('div'));
      add(h, el('span', 'sev ' + f.severity, f.severity));
      add(h, el('span', 'rule', f.rule));
      add(h, el('span', 'muted', '  ×' + f.count + (f.start_func ? '  ' + f.start_func : '')));
      add(card, el('div', 'msg', f.message));
      if (f.evidence) add(card, el('div', 'evidence', 'Evidence (' + (f.certainty || '?') + '): ' + f.evidence));
      if (f.fingerprint) add(card, el('div', 'muted fingerprint', 'fingerprint ' + f.fingerprint));
      if (f.hint) add(card, el('div', 'muted', 'Fix: ' + f.hint));
      const t = add(card, el('table'));
      if (f.goroutines && f.goroutines.length) kv(t, 'goroutines', f.goroutines.slice(0, 20).map(function (g) { return 'g' + g; }).join(' ') + (f.goroutines.length > 20 ? ' …' : ''));
      if (f.contexts && f.contexts.length) kv(t, 'contexts', f.contexts.slice(0, 20).map(function (c) { return 'ctx ' + c; }).join(', '));
      if (f.context_site) kv(t, 'context created at', site(f.context_site));
      if (f.cancellation !== null && f.cancellation !== undefined) kv(t, 'cancellation', '#' + f.cancellation);
      if (f.test) kv(t, 'test', f.test);
      if (f.goroutines && f.goroutines.length) {
        const b = add(card, el('button', 'show-lanes', 'show in timeline'));
        b.type = 'button';
        b.addEventListener('click', function () { if (showLanes) showLanes(f.goroutines, f.cancellation); });
      }
      if (f.latency) kv(t, 'latency', 'p50 ' + fmtNs(f.latency.p50_ns) + ', p99 ' + fmtNs(f.latency.p99_ns) + ', max ' + fmtNs(f.latency.max_ns) + ' (' + f.latency.count + ')');
      const st = add(card, el('div', 'stacks'));
      if (f.block && f.block.stack && f.block.stack.length) renderStack(st, 'Blocked' + (f.block.reason ? ' (' + f.block.reason + ')' : ''), f.block.stack, f.block.user_frame);
      if (f.creation && f.creation.stack && f.creation.stack.length) renderStack(st, 'Created at', f.creation.stack, f.creation.user_frame);
    });
  }

  // ---- Context tree ----
  function renderContexts() {
    const root = document.getElementById('cf-contexts');
    const cs = D.contexts || [];
    stats.contexts = cs.length;
    if (cs.length === 0) {
      add(root, el('p', 'muted', 'No instrumented contexts: the trace has no records from the cancelflow Go module (ctxtrace).'));
      return;
    }
    const byId = new Map();
    cs.forEach(function (c) { byId.set(c.id, { c: c, kids: [] }); });
    const roots = [];
    cs.forEach(function (c) {
      const p = c.parent !== null ? byId.get(c.parent) : undefined;
      if (p) p.kids.push(byId.get(c.id)); else roots.push(byId.get(c.id));
    });
    const maxNodes = 3000;
    let shown = 0;
    function node(ul, n, depth) {
      if (shown >= maxNodes) return;
      shown++;
      const c = n.c;
      const li = add(ul, el('li', 'ctx'));
      li.dataset.ctx = String(c.id);
      add(li, el('span', 'id', 'ctx ' + c.id + ' ' + c.kind));
      if (c.parent === null && c.parent_kind) add(li, el('span', 'muted', ' ← ' + c.parent_kind + (c.parent_type ? ' (' + c.parent_type + ')' : '')));
      if (c.created_at) add(li, el('span', 'file', '  ' + site(c.created_at)));
      if (c.done_ns !== null) add(li, el('span', 'badge', 'done by ' + (c.done_by || '?') + ' at ' + fmtNs(c.done_ns - t0)));
      else add(li, el('span', 'badge', 'never done'));
      if (c.err) add(li, el('span', 'badge', c.err));
      if (c.cause && c.cause !== c.err) add(li, el('span', 'badge', 'cause: ' + c.cause));
      if (!c.cancel_called && c.kind !== 'withoutcancel' && c.kind !== 'test') add(li, el('span', 'badge', 'cancel not called'));
      if (c.leaked) add(li, el('span', 'badge bad', 'leaked: ' + c.leaked));
      if (c.bound_goroutines && c.bound_goroutines.length) add(li, el('span', 'muted', '  bound: ' + c.bound_goroutines.map(function (g) { return 'g' + g; }).join(' ')));
      if (n.kids.length) {
        const sub = add(li, el('ul', 'tree'));
        n.kids.forEach(function (k) { node(sub, k, depth + 1); });
      }
    }
    const ul = add(root, el('ul', 'tree root'));
    roots.forEach(function (r) { node(ul, r, 0); });
    if (shown < cs.length) add(root, el('p', 'muted', (cs.length - shown) + ' more contexts not shown (cap ' + maxNodes + ')'));
  }

  // ---- Cancellations ----
  function renderCancellations() {
    const root = document.getElementById('cf-cancellations');
    const cs = D.cancellations || [];
    if (cs.length === 0) { add(root, el('p', 'muted', 'No cancellations seen.')); return; }
    const t = add(root, el('table'));
    const hr = add(t, el('tr'));
    ['#', 'kind', 'at', 'canceler', 'called from', 'cause', 'woken', 'slowest time to respond', 'slowest time to next block'].forEach(function (h) { add(hr, el('th', null, h)); });
    cs.slice(0, 2000).forEach(function (c) {
      const r = add(t, el('tr'));
      add(r, el('td', null, c.id));
      add(r, el('td', null, c.kind));
      add(r, el('td', null, fmtNs(c.time_ns - t0)));
      add(r, el('td', null, 'g' + c.canceler.goroutine + ' ' + (c.canceler.start_func || '')));
      add(r, el('td', 'file', site(c.canceler.user_frame)));
      add(r, el('td', null, c.cause));
      // Counts over every woken goroutine, also when the embedded list is capped.
      add(r, el('td', null, c.woken_count !== undefined ? c.woken_count : c.woken.length));
      // The same definitions as the findings' latencies (docs/findings.md, "Response").
      add(r, el('td', null, fmtNs(c.slowest_response_ns !== undefined && c.slowest_response_ns !== null ? c.slowest_response_ns : -1)));
      add(r, el('td', null, fmtNs(c.slowest_latency_ns !== undefined && c.slowest_latency_ns !== null ? c.slowest_latency_ns : -1)));
    });
    const total = (D.summary && D.summary.cancellations) || cs.length;
    if (total > Math.min(cs.length, 2000)) add(root, el('p', 'muted', (total - Math.min(cs.length, 2000)) + ' more cancellations not listed'));
    const tr = D.truncated;
    if (tr) {
      add(root, el('p', 'muted', 'This report embeds part of the analysis (caps, docs/outputs.md): ' + tr.cancellations +
        ' cancellations, ' + tr.woken + ' woken goroutines, ' + tr.contexts + ' contexts, ' + tr.findings +
        ' findings and ' + tr.tests + ' tests left out, ' + tr.strings_cut + ' long strings cut; cancelflow analyze --json has everything.'));
    }
  }

  // ---- Logs, regions, tasks ----
  function renderAnnotations() {
    const root = document.getElementById('cf-annotations');
    // The Go module's own records (log category cancelflow/v1/...) are the
    // context tree's input, not the program's logs: counted, not listed.
    const all = T.annotations || [];
    const as = all.filter(function (a) { return !(a[2] === 'log' && /^cancelflow\//.test(a[3])); });
    if (all.length !== as.length) add(root, el('p', 'muted', (all.length - as.length) + ' cancelflow instrumentation records not listed (they are drawn as the context tree).'));
    if (as.length === 0) { add(root, el('p', 'muted', 'No logs, regions or tasks.')); return; }
    const t = add(root, el('table'));
    const hr = add(t, el('tr'));
    ['at', 'goroutine', 'kind', 'category / name', 'message'].forEach(function (h) { add(hr, el('th', null, h)); });
    const max = 500;
    as.slice(0, max).forEach(function (a) {
      const r = add(t, el('tr', 'annotation'));
      add(r, el('td', null, fmtNs(a[0])));
      add(r, el('td', null, 'g' + a[1]));
      add(r, el('td', null, a[2]));
      add(r, el('td', 'text', a[3]));
      add(r, el('td', 'text', a[4]));
    });
    const more = as.length - max + (T.annotations_dropped || 0);
    if (more > 0) add(root, el('p', 'muted', more + ' more not listed (the report keeps the first ' + max + ' here and ' + ((T.caps || {}).max_annotations) + ' in the data)'));
  }

  // ---- Timeline ----
  function renderTimeline() {
    const canvas = document.getElementById('cf-timeline');
    const info = document.getElementById('cf-timeline-info');
    const tip = document.getElementById('cf-tooltip');
    const legend = document.getElementById('cf-timeline-legend');
    [['running', '#3a9a5b'], ['blocked', '#c9d3e0'], ['syscall', '#9b6bc2'], ['cancel → woken', '#2f6fb0'], ['cancel → ignored', '#c62828']].forEach(function (x) {
      const s = add(legend, el('span', null));
      const i = add(s, el('i'));
      i.style.background = x[1];
      s.appendChild(document.createTextNode(x[0]));
    });
    const lanes = T.lanes || [];
    stats.lanes = lanes.length;
    const laneOf = new Map();
    lanes.forEach(function (l, i) { laneOf.set(l.g, i); });
    // Goroutines that ignored a cancel (or leaked after one): their arrows are red.
    const ignored = new Set();
    (D.findings || []).forEach(function (f) {
      if (f.rule === 'ignored-cancel' || f.rule === 'leaked-goroutine') (f.goroutines || []).forEach(function (g) { ignored.add(g); });
    });
    const arrows = [];
    (D.cancellations || []).forEach(function (c) {
      const from = laneOf.get(c.canceler.goroutine);
      c.woken.forEach(function (w, k) {
        const to = laneOf.get(w.goroutine);
        const t = w.unblocked_ns !== null ? w.unblocked_ns : c.time_ns;
        if (from === undefined || to === undefined || c.time_ns === null) { stats.arrowsDropped++; return; }
        arrows.push({ c: c, w: w, k: k, from: from, to: to, t1: c.time_ns - t0, t2: t - t0, ignored: ignored.has(w.goroutine) });
      });
    });
    stats.arrows = arrows.length;
    stats.ignoredArrows = arrows.filter(function (a) { return a.ignored; }).length;
    // The arrows of the cancellations the findings cite, and those of their
    // wake-ups that have no lane (the lane choice puts them first: 0 unless
    // a cancellation woke more goroutines than the lane cap).
    const cited = new Set();
    (D.findings || []).forEach(function (f) { if (f.cancellation !== null && f.cancellation !== undefined) cited.add(f.cancellation); });
    stats.citedCancellations = cited.size;
    stats.citedArrows = arrows.filter(function (a) { return cited.has(a.c.id); }).length;
    stats.citedArrowsMissing = 0;
    (D.cancellations || []).forEach(function (c) {
      if (!cited.has(c.id)) return;
      if (!laneOf.has(c.canceler.goroutine)) stats.citedArrowsMissing += c.woken.length;
      else c.woken.forEach(function (w) { if (!laneOf.has(w.goroutine)) stats.citedArrowsMissing++; });
    });
    canvas.dataset.arrows = String(arrows.length);
    canvas.dataset.lanes = String(lanes.length);
    const seen = T.goroutines_seen || lanes.length;
    let msg = lanes.length + ' of ' + seen + ' goroutines drawn';
    if (T.lanes_empty) msg += ' (' + T.lanes_empty + ' never ran or blocked in the trace)';
    if (T.lanes_dropped) msg += ' (' + T.lanes_dropped + ' not drawn: cap ' + T.caps.max_lanes + ' lanes; goroutines named by the analysis come first)';
    if (T.spans_merged) msg += '; ' + T.spans_merged + ' short spans merged into neighbours (caps ' + T.caps.max_spans_per_lane + ' per goroutine, ' + T.caps.max_output_spans + ' in the file)';
    msg += '; ' + arrows.length + ' cancel arrows';
    if (stats.arrowsDropped) msg += ' (' + stats.arrowsDropped + ' not drawn: goroutine without a lane)';
    info.textContent = msg;
    if (lanes.length === 0) return;

    const H = 18, GUT = 190, AX = 22;
    const total = Math.max(1, T.end_ns - t0);
    let v0 = 0, v1 = total;
    const ctx = canvas.getContext('2d');
    let W = 0;
    function resize() {
      const dpr = window.devicePixelRatio || 1;
      W = canvas.parentElement.clientWidth || 1000;
      const h = AX + lanes.length * H + 4;
      canvas.style.height = h + 'px';
      canvas.width = Math.floor(W * dpr);
      canvas.height = Math.floor(h * dpr);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    }
    function x(t) { return GUT + (t - v0) / (v1 - v0) * (W - GUT - 8); }
    function tAt(px) { return v0 + (px - GUT) / (W - GUT - 8) * (v1 - v0); }
    function firstVisible(spans, t) {
      let lo = 0, hi = spans.length;
      while (lo < hi) { const m = (lo + hi) >> 1; if (spans[m][1] < t) lo = m + 1; else hi = m; }
      return lo;
    }
    const colors = { 1: '#3a9a5b', 2: '#c9d3e0', 3: '#9b6bc2' };
    let highlighted = new Set();  // lane indices a finding card asked for
    function draw() {
      const h = AX + lanes.length * H + 4;
      ctx.clearRect(0, 0, W, h);
      ctx.font = '11px ui-monospace, Menlo, Consolas, monospace';
      // axis
      ctx.fillStyle = '#667085';
      ctx.strokeStyle = '#e4e8ef';
      const span = v1 - v0;
      const step = Math.pow(10, Math.floor(Math.log10(span / 6)));
      const mult = span / step > 30 ? 5 : span / step > 12 ? 2 : 1;
      const tick = step * mult;
      for (let t = Math.ceil(v0 / tick) * tick; t <= v1; t += tick) {
        const px = x(t);
        ctx.beginPath(); ctx.moveTo(px, AX - 4); ctx.lineTo(px, h); ctx.stroke();
        ctx.fillText(fmtNs(t), px + 2, 12);
      }
      lanes.forEach(function (l, i) {
        const y = AX + i * H;
        if (highlighted.has(i)) { ctx.fillStyle = '#fff1b8'; ctx.fillRect(0, y, W, H); }
        else if (i % 2 === 0) { ctx.fillStyle = '#f8f9fb'; ctx.fillRect(GUT, y, W - GUT, H); }
        const spans = l.spans;
        let lastPx = -1;
        for (let k = firstVisible(spans, v0); k < spans.length; k++) {
          const s = spans[k];
          if (s[0] > v1) break;
          const a = Math.max(x(s[0]), GUT), b = Math.min(x(s[1]), W);
          if (b < lastPx) continue;  // sub-pixel spans: one per pixel is enough
          ctx.fillStyle = colors[s[2]] || '#999';
          ctx.fillRect(a, y + 3, Math.max(1, b - a), H - 6);
          lastPx = Math.max(a + 1, b);
        }
        ctx.fillStyle = highlighted.has(i) ? '#fff1b8' : '#fff';
        ctx.fillRect(0, y, GUT, H);
        ctx.fillStyle = '#1d2330';
        ctx.fillText(laneLabel(l, 28), 4, y + 13);
      });
      // annotations: small ticks
      ctx.fillStyle = '#b26a00';
      (T.annotations || []).forEach(function (an) {
        const li = laneOf.get(an[1]);
        if (li === undefined || an[0] < v0 || an[0] > v1) return;
        ctx.fillRect(x(an[0]), AX + li * H + 1, 1, 4);
      });
      // arrows
      arrows.forEach(function (ar) {
        const xa = x(ar.t1), xb = x(ar.t2);
        if ((xa < GUT && xb < GUT) || (xa > W && xb > W)) return;
        const ya = AX + ar.from * H + H / 2, yb = AX + ar.to * H + H / 2;
        const col = ar.ignored ? '#c62828' : '#2f6fb0';
        ctx.strokeStyle = col; ctx.fillStyle = col; ctx.lineWidth = 1.5;
        // Curved, each woken goroutine of one cancel bending a bit further,
        // so arrows of a cancel that wakes many at once stay apart.
        const cx = (xa + xb) / 2 + 10 + 8 * (ar.k % 12), cy = (ya + yb) / 2;
        ctx.beginPath(); ctx.moveTo(xa, ya); ctx.quadraticCurveTo(cx, cy, xb, yb); ctx.stroke();
        const ang = Math.atan2(yb - cy, xb - cx);
        ctx.beginPath();
        ctx.moveTo(xb, yb);
        ctx.lineTo(xb - 7 * Math.cos(ang - 0.45), yb - 7 * Math.sin(ang - 0.45));
        ctx.lineTo(xb - 7 * Math.cos(ang + 0.45), yb - 7 * Math.sin(ang + 0.45));
        ctx.closePath(); ctx.fill();
        ctx.beginPath(); ctx.arc(xa, ya, 3, 0, 2 * Math.PI); ctx.fill();
        if (ar.ignored) {
          ctx.beginPath();
          ctx.moveTo(xb + 3, yb - 5); ctx.lineTo(xb + 9, yb + 5);
          ctx.moveTo(xb + 9, yb - 5); ctx.lineTo(xb + 3, yb + 5);
          ctx.stroke();
        }
        ctx.lineWidth = 1;
      });
      ctx.strokeStyle = '#d8dde6';
      ctx.beginPath(); ctx.moveTo(GUT, 0); ctx.lineTo(GUT, h); ctx.stroke();
    }
    resize();
    draw();
    window.addEventListener('resize', function () { resize(); draw(); });
    // A finding card's "show in timeline": highlight its goroutines' lanes,
    // zoom around the cancellation it cites, and scroll to the first lane.
    showLanes = function (gs, cancellation) {
      highlighted = new Set();
      gs.forEach(function (g) { const i = laneOf.get(g); if (i !== undefined) highlighted.add(i); });
      const c = (D.cancellations || []).find(function (x) { return x.id === cancellation; });
      if (c && c.time_ns !== null) {
        const t = c.time_ns - t0, w = Math.max(total / 20, 1);
        v0 = Math.max(0, t - w);
        v1 = Math.min(total, t + 3 * w);
      }
      canvas.dataset.highlighted = String(highlighted.size);
      draw();
      canvas.scrollIntoView({ block: 'start' });
      const first = Math.min.apply(null, Array.from(highlighted));
      if (isFinite(first)) window.scrollBy(0, AX + first * H - 40);
    };
    canvas.addEventListener('wheel', function (ev) {
      ev.preventDefault();
      const r = canvas.getBoundingClientRect();
      const px = Math.max(GUT, ev.clientX - r.left);
      const at = tAt(px);
      const f = Math.exp(ev.deltaY * 0.002);
      let n0 = at - (at - v0) * f, n1 = at + (v1 - at) * f;
      if (n1 - n0 < 100) return;  // 100 ns is as far as it goes
      v0 = Math.max(-total * 0.05, n0); v1 = Math.min(total * 1.05, n1);
      draw();
    }, { passive: false });
    let drag = null;
    canvas.addEventListener('mousedown', function (ev) { drag = { x: ev.clientX, v0: v0, v1: v1 }; canvas.style.cursor = 'grabbing'; });
    window.addEventListener('mouseup', function () { drag = null; canvas.style.cursor = 'grab'; });
    window.addEventListener('mousemove', function (ev) {
      if (drag) {
        const dt = (ev.clientX - drag.x) / (W - GUT - 8) * (drag.v1 - drag.v0);
        v0 = drag.v0 - dt; v1 = drag.v1 - dt;
        draw();
      }
    });
    canvas.addEventListener('dblclick', function () { v0 = 0; v1 = total; draw(); });
    canvas.addEventListener('mousemove', function (ev) {
      const r = canvas.getBoundingClientRect();
      const px = ev.clientX - r.left, py = ev.clientY - r.top;
      const li = Math.floor((py - AX) / H);
      if (drag || li < 0 || li >= lanes.length || px < GUT) { tip.hidden = true; return; }
      const l = lanes[li], t = tAt(px);
      let text = 'g' + l.g + ' ' + (l.name || '') + (l.module ? ' [cancelflow module: instrumentation, not the program]' : '') + '\nat ' + fmtNs(t);
      const k = firstVisible(l.spans, t);
      if (k < l.spans.length && l.spans[k][0] <= t) {
        const s = l.spans[k];
        text += '\n' + ({ 1: 'running', 2: 'blocked', 3: 'syscall' })[s[2]] + (s[3] ? ' (' + T.reasons[s[3]] + ')' : '') + ' for ' + fmtNs(s[1] - s[0]) + (s[4] > 1 ? ' [' + s[4] + ' spans merged]' : '');
      }
      const tol = (v1 - v0) / (W - GUT) * 6;
      arrows.forEach(function (ar) {
        if ((ar.to === li && Math.abs(ar.t2 - t) < tol) || (ar.from === li && Math.abs(ar.t1 - t) < tol)) {
          text += '\ncancel #' + ar.c.id + ' (' + ar.c.kind + ') by g' + ar.c.canceler.goroutine + ' → g' + ar.w.goroutine + ': ' + ar.w.outcome + ', latency ' + fmtNs(ar.w.latency_ns) + (ar.ignored ? ' — IGNORED' : '');
        }
      });
      tip.textContent = text;
      tip.hidden = false;
      tip.style.left = (ev.clientX + 12) + 'px';
      tip.style.top = (ev.clientY + 12) + 'px';
    });
    canvas.addEventListener('mouseleave', function () { tip.hidden = true; });
  }

  // ---- Flame graph (icicle: root on top) ----
  function renderFlame() {
    const F = D.flame || { metric: 'none', samples: [], frames: [] };
    const info = document.getElementById('cf-flame-info');
    const root = document.getElementById('cf-flame');
    if (F.metric === 'none' || F.samples.length === 0) {
      info.textContent = 'No post-cancel work: no goroutine was woken by a cancel or ran after its context was done.';
      root.style.display = 'none';
      return;
    }
    let msg = F.metric === 'cpu'
      ? 'CPU time (' + F.post_cancel_cpu_samples + ' CPU samples) of goroutines after a cancel woke them or their context was done.'
      : 'Wall time of goroutines after a cancel woke them or their context was done, where it was spent: each wait at the stack it waited on, running and runnable time at the stack they were woken at (the trace has no CPU samples in these windows).';
    msg += ' ' + F.windows + ' windows. Click a frame to zoom, the root to reset.';
    if (F.samples_dropped) msg += ' ' + F.samples_dropped + ' lightest stacks not shown (cap ' + F.caps.max_flame_samples + ').';
    if (F.stacks_truncated) msg += ' ' + F.stacks_truncated + ' stacks cut at ' + F.caps.max_flame_depth + ' frames.';
    info.textContent = msg;
    function mk(name, frame) { return { name: name, frame: frame, value: 0, kids: new Map() }; }
    const top = mk('all', null);
    F.samples.forEach(function (s) {
      let n = top;
      n.value += s[0];
      s[1].forEach(function (fi) {
        let k = n.kids.get(fi);
        if (!k) { k = mk(F.frames[fi].func, F.frames[fi]); n.kids.set(fi, k); }
        k.value += s[0];
        n = k;
      });
    });
    function color(name) {
      let h = 0;
      for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
      const std = /^(runtime|internal|context|sync|time|net|syscall|os|reflect)[./]/.test(name);
      return std ? 'hsl(' + (200 + h % 40) + ',35%,' + (70 + h % 12) + '%)' : 'hsl(' + (10 + h % 40) + ',80%,' + (62 + h % 14) + '%)';
    }
    const ROW = 18, MAXN = 4000;
    function draw(focus) {
      while (root.firstChild) root.removeChild(root.firstChild);
      let count = 0, maxDepth = 0;
      const totalW = focus.value;
      function place(n, depth, left) {
        if (count >= MAXN) return;
        const w = n.value / totalW * 100;
        if (w < 0.05 && n !== focus) return;
        count++;
        maxDepth = Math.max(maxDepth, depth);
        const d = add(root, el('div', 'fl', n.name));
        d.style.left = left + '%';
        d.style.width = w + '%';
        d.style.top = (depth * ROW) + 'px';
        d.style.background = n === top ? '#d8dde6' : color(n.name);
        d.title = (n.frame ? site(n.frame) : 'all') + '\n' + fmtNs(n.value) + ' (' + (n.value / top.value * 100).toFixed(1) + '%)';
        d.addEventListener('click', function () { draw(n === focus ? top : n); });
        let l = left;
        Array.from(n.kids.values()).sort(function (a, b) { return b.value - a.value; }).forEach(function (k) {
          place(k, depth + 1, l);
          l += k.value / totalW * 100;
        });
      }
      // Focus: draw its ancestors? Keep it simple: the focused node becomes the root row.
      place(focus, 0, 0);
      root.style.height = ((maxDepth + 1) * ROW + 2) + 'px';
      stats.flameNodes = count;
      root.dataset.nodes = String(count);
    }
    draw(top);
  }

  const parts = [renderSummary, renderFindings, renderTimeline, renderFlame, renderContexts, renderCancellations, renderAnnotations];
  parts.forEach(function (p) { p(); });
  stats.readyMs = performance.now();  // since navigation started
  document.body.dataset.cfReady = '1';
})();
