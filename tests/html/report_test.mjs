// Loads a cancelflow HTML report in headless Chromium and checks what it
// renders. Zero dependencies: Node 20 talks to Chromium over the DevTools
// protocol on --remote-debugging-pipe (fd 3: commands in, fd 4: replies and
// events out, NUL-separated JSON).
//
//   node report_test.mjs --chromium PATH --html REPORT.html --screenshot OUT.png --mode MODE
//
// MODE: basic          summary, a finding card (whose "show in timeline" highlights its lanes), timeline with
//                      >= 1 arrow, flame graph
//       instrumented   basic + the context tree shows every instrumented context under its parent
//       nested         instrumented + at least one context nested under another
//       hostile        basic + every payload of tests/html/hostile shown as text, none executed
//       corpus-hostile the hostile strings of tests/corpus/progs/cmd/annotations shown as text
//       large          basic + on a >= 100 MB trace with bugs planted over the whole run: every goroutine a
//                      finding names has a lane with spans, the arrows of every cited cancellation are drawn,
//                      findings come from the whole run, and the page is ready in under 3 s
// Every mode fails on any console error, uncaught exception or log error
// (CSP violations, blocked network requests, JS errors).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

function parseArgs(argv) {
  const out = {};
  for (let i = 2; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const k of ['chromium', 'html', 'screenshot', 'mode']) {
    if (!out[k]) throw new Error(`missing --${k}`);
  }
  return out;
}

const args = parseArgs(process.argv);
const failures = [];
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
}

const profile = mkdtempSync(join(tmpdir(), 'cf-chromium-'));
const chrome = spawn(args.chromium, [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage', '--hide-scrollbars', `--user-data-dir=${profile}`,
  '--remote-debugging-pipe', 'about:blank',
], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
let chromeStderr = '';
chrome.stderr.on('data', (d) => { chromeStderr += d; });

let nextId = 1;
const pending = new Map();
const listeners = [];
let inbuf = Buffer.alloc(0);
chrome.stdio[4].on('data', (chunk) => {
  inbuf = Buffer.concat([inbuf, chunk]);
  let z;
  while ((z = inbuf.indexOf(0)) >= 0) {
    const msg = JSON.parse(inbuf.subarray(0, z).toString('utf8'));
    inbuf = inbuf.subarray(z + 1);
    if (msg.id !== undefined && pending.has(msg.id)) {
      const { resolve: ok, reject, method } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(`${method}: ${msg.error.message}`));
      else ok(msg.result);
    } else if (msg.method) {
      for (const l of listeners) l(msg);
    }
  }
});
function send(method, params = {}, sessionId) {
  const id = nextId++;
  const msg = { id, method, params };
  if (sessionId) msg.sessionId = sessionId;
  chrome.stdio[3].write(JSON.stringify(msg) + '\0');
  return new Promise((ok, reject) => pending.set(id, { resolve: ok, reject, method }));
}
function waitFor(pred, ms, what) {
  return new Promise((ok, reject) => {
    const t = setTimeout(() => reject(new Error(`timeout waiting for ${what}`)), ms);
    listeners.push((m) => { if (pred(m)) { clearTimeout(t); ok(m); } });
  });
}

const errors = [];
listeners.push((m) => {
  if (m.method === 'Runtime.exceptionThrown') {
    errors.push('exception: ' + JSON.stringify(m.params.exceptionDetails).slice(0, 500));
  } else if (m.method === 'Runtime.consoleAPICalled' && (m.params.type === 'error' || m.params.type === 'assert')) {
    errors.push('console.' + m.params.type + ': ' + m.params.args.map((a) => a.value ?? a.description).join(' '));
  } else if (m.method === 'Log.entryAdded' && m.params.entry.level === 'error') {
    errors.push('log: ' + m.params.entry.text + ' ' + (m.params.entry.url || ''));
  }
});

async function main() {
  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  const { sessionId: s } = await send('Target.attachToTarget', { targetId, flatten: true });
  await send('Runtime.enable', {}, s);
  await send('Log.enable', {}, s);
  await send('Page.enable', {}, s);
  await send('Emulation.setDeviceMetricsOverride', { width: 1400, height: 1000, deviceScaleFactor: 1, mobile: false }, s);
  const loaded = waitFor((m) => m.method === 'Page.loadEventFired' && m.sessionId === s, 20000, 'load');
  await send('Page.navigate', { url: 'file://' + resolve(args.html) }, s);
  await loaded;
  const evaluate = async (expression) => {
    const r = await send('Runtime.evaluate', { expression, returnByValue: true }, s);
    if (r.exceptionDetails) throw new Error('evaluate failed: ' + expression + ': ' + r.exceptionDetails.text);
    return r.result.value;
  };
  for (let i = 0; i < 100 && (await evaluate('document.body.dataset.cfReady')) !== '1'; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  check((await evaluate('document.body.dataset.cfReady')) === '1', 'the report script ran to the end');

  // What the page shows, and what the embedded data says it should show.
  const page = await evaluate(`(() => {
    const D = JSON.parse(document.getElementById('cf-data').textContent);
    const q = (s) => document.querySelector(s);
    const qa = (s) => Array.from(document.querySelectorAll(s));
    return {
      data: { cancellations: D.summary.cancellations, findings: D.summary.findings,
              rules: D.findings.map((f) => f.rule), contexts: D.contexts.length,
              withUserFrame: D.findings.filter((f) => (f.block && f.block.user_frame) || (f.creation && f.creation.user_frame)).length,
              nestedContexts: D.contexts.filter((c) => c.parent !== null).length },
      sumCancellations: q('#cf-sum-cancellations .big') && q('#cf-sum-cancellations .big').textContent,
      sumFindings: q('#cf-sum-findings .big') && q('#cf-sum-findings .big').textContent,
      ruleRows: qa('#cf-sum-findings tr').map((r) => r.dataset.rule),
      qualityRows: qa('#cf-sum-quality tr').length,
      scopeRow: (qa('#cf-sum-quality tr').find((r) => r.firstChild && r.firstChild.textContent === 'scope') || {}).textContent || '',
      dataScope: D.trace.scope,
      evidenceCards: qa('.finding .evidence').length,
      dataEvidence: D.findings.filter((f) => f.evidence).length,
      fingerprintCards: qa('.finding .fingerprint').map((e) => e.textContent),
      dataFingerprints: D.findings.map((f) => 'fingerprint ' + f.fingerprint),
      optionsRow: !!D.options && [...document.querySelectorAll('th')].some((th) => th.textContent === 'options'),
      findingCards: qa('.finding').map((c) => ({ rule: c.dataset.rule, ruleText: c.querySelector('.rule').textContent,
                                               frames: c.querySelectorAll('ol.frames li').length,
                                               userFrames: c.querySelectorAll('ol.frames li.user').length })),
      canvas: (() => { const c = q('#cf-timeline'); return c ? { w: c.width, h: c.height, lanes: +c.dataset.lanes, arrows: +c.dataset.arrows } : null; })(),
      canvasInk: (() => { const c = q('#cf-timeline'); if (!c || !c.width) return 0;
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++; return n; })(),
      report: window.cfReport,
      flameNodes: qa('#cf-flame .fl').length,
      flameInfo: q('#cf-flame-info').textContent,
      contextNodes: qa('#cf-contexts li.ctx').length,
      nestedContextNodes: qa('#cf-contexts li.ctx li.ctx').length,
      contextText: q('#cf-contexts').textContent,
      cancellationRows: qa('#cf-cancellations tr').length - 1,
      cancellationHeads: qa('#cf-cancellations th').map((h) => h.textContent),
      scripts: document.scripts.length,
      imgs: qa('img').length,
      onerror: qa('[onerror]').length,
      bolds: qa('main b').length,
      title: document.title,
      pwned: window.cfPwned === undefined ? null : window.cfPwned,
      annotationCells: qa('#cf-annotations td.text').map((td) => td.textContent),
    };
  })()`);

  check(page.sumCancellations === String(page.data.cancellations) && (page.data.cancellations > 0 || args.mode === 'corpus-hostile'),
    `summary shows ${page.sumCancellations} cancellations (data: ${page.data.cancellations})`);
  check(page.sumFindings === String(page.data.findings), `summary shows ${page.sumFindings} findings (data: ${page.data.findings})`);
  check(page.ruleRows.includes('leaked-goroutine') && page.ruleRows.includes('ignored-cancel'), 'summary lists findings by rule');
  check(page.qualityRows >= 5, 'summary shows data quality');
  check(page.dataScope && page.scopeRow.includes(page.dataScope), `summary shows the trace scope (${page.scopeRow})`);
  check(JSON.stringify(page.fingerprintCards) === JSON.stringify(page.dataFingerprints) &&
            page.dataFingerprints.every((s) => /^fingerprint [0-9a-f]{16}$/.test(s)),
        `${page.fingerprintCards.length} finding cards show their fingerprint (data: ${page.dataFingerprints.length})`);
  check(page.optionsRow, 'the summary names the analysis options');
  check(page.evidenceCards === page.dataEvidence, `${page.evidenceCards} finding cards state their evidence (data: ${page.dataEvidence})`);
  if (args.mode !== 'corpus-hostile') {
    check(page.findingCards.length === page.data.findings && page.findingCards.length > 0,
      `${page.findingCards.length} finding cards (rules: ${page.findingCards.map((c) => c.rule).join(', ')})`);
    check(page.findingCards.every((c) => c.ruleText === c.rule), 'each finding card names its rule id');
    check(page.findingCards.filter((c) => c.frames > 0 && c.userFrames > 0).length === page.data.withUserFrame,
      `finding stacks render with the user frame highlighted (${page.data.withUserFrame} findings have one)`);
    check(page.canvas && page.canvas.w > 0 && page.canvas.h > 0 && page.canvas.lanes > 0, `timeline canvas ${JSON.stringify(page.canvas)}`);
    check(page.canvas && page.canvas.arrows >= 1, `timeline draws ${page.canvas && page.canvas.arrows} cancel arrows`);
    check(page.canvasInk > 1000, `timeline canvas has ink (${page.canvasInk} painted pixels)`);
    check(page.flameNodes >= 2, `flame graph has ${page.flameNodes} frames (${page.flameInfo.slice(0, 60)}…)`);
    check(page.cancellationRows === Math.min(page.data.cancellations, 2000), `${page.cancellationRows} cancellation rows`);
    check(page.cancellationHeads.includes('slowest time to respond') && page.cancellationHeads.includes('slowest time to next block'),
      'the cancellations table labels both latencies as the findings define them');
  }
  if (args.mode !== 'corpus-hostile' && page.findingCards.length > 0) {
    // A finding card links to its lanes: the click highlights them and scrolls the timeline into view.
    const link = await evaluate(`(() => {
      const cards = Array.from(document.querySelectorAll('.finding'));
      const card = cards.find((c) => c.querySelector('button.show-lanes'));
      const D = JSON.parse(document.getElementById('cf-data').textContent);
      const applicable = D.findings.some((f) => f.goroutines && f.goroutines.length > 0);
      if (!card) return { button: false, applicable };
      window.scrollTo(0, 0);
      card.querySelector('button.show-lanes').click();
      const c = document.getElementById('cf-timeline');
      const r = c.getBoundingClientRect();
      const out = { button: true, highlighted: Number(c.dataset.highlighted || 0), visible: r.top < window.innerHeight && r.bottom > 0 };
      c.dispatchEvent(new MouseEvent('dblclick', { bubbles: true }));  // back to the whole trace for the next checks
      return out;
    })()`);
    // Findings about contexts only (late-deadline) name no goroutine: no button to test then.
    if (link.button || link.applicable) {
      check(link.button && link.highlighted > 0 && link.visible, `a finding card shows its lanes in the timeline ${JSON.stringify(link)}`);
    }
  }
  if (args.mode !== 'corpus-hostile') {
    // Zoom (wheel), pan (drag) and reset (double-click) redraw the timeline.
    const zoom = await evaluate(`(() => {
      const c = document.getElementById('cf-timeline');
      const hash = () => { const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let h = 0;
        for (let i = 0; i < px.length; i += 7) h = (h * 31 + px[i]) >>> 0; return h; };
      const r = c.getBoundingClientRect();
      const at = { clientX: r.left + r.width * 0.6, clientY: r.top + 30, bubbles: true, cancelable: true };
      const h0 = hash();
      c.dispatchEvent(new WheelEvent('wheel', Object.assign({ deltaY: -800 }, at)));
      const h1 = hash();
      c.dispatchEvent(new MouseEvent('mousedown', at));
      window.dispatchEvent(new MouseEvent('mousemove', Object.assign({}, at, { clientX: at.clientX - 200 })));
      window.dispatchEvent(new MouseEvent('mouseup', at));
      const h2 = hash();
      c.dispatchEvent(new MouseEvent('dblclick', at));
      const h3 = hash();
      return { zoomed: h1 !== h0, panned: h2 !== h1, reset: h3 === h0 };
    })()`);
    check(zoom.zoomed && zoom.panned && zoom.reset, `timeline zooms, pans and resets ${JSON.stringify(zoom)}`);
    // Clicking a flame frame makes it the root; clicking it again goes back.
    const flame = await evaluate(`(() => {
      const boxes = () => Array.from(document.querySelectorAll('#cf-flame .fl'));
      const before = boxes().length;
      const target = boxes().find((b) => b.style.top === '18px');
      if (!target) return { ok: false };
      const name = target.textContent;
      target.click();
      const root = boxes().find((b) => b.style.top === '0px');
      const zoomedOk = root && root.textContent === name && root.style.width === '100%';
      root.click();
      return { ok: zoomedOk && boxes().length === before && boxes()[0].textContent === 'all', name };
    })()`);
    check(flame.ok, `flame graph zooms into a frame and back (${flame.name})`);
  }
  if (args.mode === 'large') {
    const big = await evaluate(`(() => {
      const D = JSON.parse(document.getElementById('cf-data').textContent);
      const T = D.timeline;
      const spans = new Map(T.lanes.map((l) => [l.g, l.spans.length]));
      const named = new Set();
      D.findings.forEach((f) => (f.goroutines || []).forEach((g) => named.add(g)));
      const missing = Array.from(named).filter((g) => !(spans.get(g) > 0));
      // When each finding's goroutines were last seen starting a span: the bugs are planted all along.
      const lastSpan = (g) => { const l = T.lanes.find((x) => x.g === g); return l && l.spans.length ? l.spans[l.spans.length - 1][0] : -1; };
      const firstSpan = (g) => { const l = T.lanes.find((x) => x.g === g); return l && l.spans.length ? l.spans[0][0] : -1; };
      const starts = Array.from(named).map(firstSpan).filter((t) => t >= 0);
      return { named: named.size, missing: missing.slice(0, 10), missingCount: missing.length,
               duration: T.end_ns - T.start_ns, firstBug: Math.min.apply(null, starts), lastBug: Math.max.apply(null, starts),
               findings: D.findings.length, report: window.cfReport, seen: T.goroutines_seen, lanes: T.lanes.length,
               bytes: document.documentElement.outerHTML.length };
    })()`);
    check(big.findings >= 2 && big.named >= 10, `findings name ${big.named} goroutines (${big.findings} findings)`);
    check(big.missingCount === 0, `every goroutine a finding names has a lane with spans (${big.missingCount} without: ${big.missing.join(', ')})`);
    check(big.lastBug > 0.8 * big.duration && big.firstBug < 0.2 * big.duration,
      `the named goroutines span the run: first at ${(big.firstBug / 1e6).toFixed(0)} ms, last at ${(big.lastBug / 1e6).toFixed(0)} ms of ${(big.duration / 1e6).toFixed(0)} ms`);
    check(big.report.citedCancellations > 0 && big.report.citedArrows >= big.report.citedCancellations && big.report.citedArrowsMissing === 0,
      `the arrows of the ${big.report.citedCancellations} cited cancellations are drawn (${big.report.citedArrows} drawn, ${big.report.citedArrowsMissing} missing)`);
    check(big.report.readyMs < 3000, `the page is ready ${big.report.readyMs.toFixed(0)} ms after navigation (< 3000 ms; ${big.lanes} lanes of ${big.seen} goroutines)`);
  }
  if (args.mode === 'instrumented' || args.mode === 'nested') {
    check(page.data.contexts > 0 && page.contextNodes === page.data.contexts, `context tree: ${page.contextNodes} of ${page.data.contexts} contexts`);
    check(page.nestedContextNodes === page.data.nestedContexts && (args.mode !== 'nested' || page.nestedContextNodes > 0),
      `context tree nests ${page.nestedContextNodes} of ${page.data.nestedContexts} child contexts under their parents`);
  } else {
    check(/No instrumented contexts/.test(page.contextText) || page.contextNodes > 0, 'context tree section says whether the trace is instrumented');
  }
  // Nothing injected ran or became an element, in every mode.
  check(page.scripts === 2, `only the report's 2 script elements exist (found ${page.scripts})`);
  check(page.imgs === 0 && page.onerror === 0 && page.bolds === 0, `no injected elements (img ${page.imgs}, [onerror] ${page.onerror}, b ${page.bolds})`);
  check(page.title === 'cancelflow report' && page.pwned === null, `no payload executed (title "${page.title}", cfPwned ${page.pwned})`);
  if (args.mode === 'hostile') {
    const expect = [
      `<script>window.cfPwned=1;document.title='pwned'</script>`,
      `</script><script>window.cfPwned=2;document.title='pwned'</script>`,
      `<img src=x onerror="window.cfPwned=3;document.title='pwned'">`,
      `"double" 'single' & ampersand &amp; <!-- comment --> <b>bold</b>`,
      'line\u2028separator\u2029paragraph',
      'invalid utf8 \ufffd\ufffd end',
    ];
    for (const e of expect) check(page.annotationCells.includes(e), `payload shown literally: ${JSON.stringify(e)}`);
  }
  if (args.mode === 'corpus-hostile') {
    for (const e of ['<script>alert(1)</script>', `&amp; <b>html</b> ' apostrophe`, 'double "quoted" name', '日本語のタスク']) {
      check(page.annotationCells.includes(e), `corpus string shown literally: ${JSON.stringify(e)}`);
    }
  }

  // Screenshot of the page (first 4000 CSS pixels).
  const m = await send('Page.getLayoutMetrics', {}, s);
  const size = m.cssContentSize || m.contentSize;
  const shot = await send('Page.captureScreenshot', {
    format: 'png', captureBeyondViewport: true,
    clip: { x: 0, y: 0, width: 1400, height: Math.min(4000, Math.ceil(size.height)), scale: 1 },
  }, s);
  writeFileSync(args.screenshot, Buffer.from(shot.data, 'base64'));
  console.log(`screenshot: ${resolve(args.screenshot)}`);
  await new Promise((r) => setTimeout(r, 200));  // let late console errors arrive
  check(errors.length === 0, `no console errors${errors.length ? ': ' + errors.join(' | ') : ''}`);
  await send('Browser.close').catch(() => {});
}

const killer = setTimeout(() => {
  console.log('FAIL timeout (60 s)');
  chrome.kill('SIGKILL');
  process.exit(1);
}, 60000);
const exited = new Promise((r) => chrome.on('exit', r));
async function cleanup() {
  chrome.kill();
  await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
  try { rmSync(profile, { recursive: true, force: true, maxRetries: 3 }); } catch (e) { /* a temp dir left behind */ }
}
main().then(async () => {
  clearTimeout(killer);
  await cleanup();
  if (failures.length) {
    console.log(`${failures.length} check(s) failed`);
    process.exit(1);
  }
  console.log('all checks passed');
  process.exit(0);
}, (e) => {
  console.log('FAIL ' + e.message);
  if (chromeStderr) console.log('chromium stderr:\n' + chromeStderr.slice(-2000));
  chrome.kill('SIGKILL');
  process.exit(1);
});
