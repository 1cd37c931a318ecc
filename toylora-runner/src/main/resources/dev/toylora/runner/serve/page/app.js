// The page of `runner serve`: draw (or drop) a digit, send it to /api/predict with the base, every shown adapter and
// the weighted mix, and show the server's prepared 28×28 input and each model's top 3. Plain script: no build step.
'use strict';

const state = {
  adapters: [],          // from GET /api/adapters
  shown: new Set(),      // adapters whose cards are shown
  weights: new Map(),    // adapter -> mix weight (0: not in the mix)
  picture: null,         // base64 of a dropped picture, sent as it is; null: the pad is the picture
  drawn: false,
  busy: false,
  again: false,
};

const $ = (id) => document.getElementById(id);
const pad = $('pad');
const ink = pad.getContext('2d');

function clearPad() {
  ink.fillStyle = '#000';
  ink.fillRect(0, 0, pad.width, pad.height);
  state.drawn = false;
  state.picture = null;
  $('cards').replaceChildren();
  const p = $('prepared').getContext('2d');
  p.fillStyle = '#000';
  p.fillRect(0, 0, 140, 140);
  $('error').textContent = '';
  document.body.dataset.predicted = '0';
}

// ---- drawing with pointer events (mouse, pen, finger)
let last = null;
function at(e) {
  const r = pad.getBoundingClientRect();
  return { x: (e.clientX - r.left) * pad.width / r.width, y: (e.clientY - r.top) * pad.height / r.height };
}
pad.addEventListener('pointerdown', (e) => {
  if (state.picture) clearPad();
  pad.setPointerCapture(e.pointerId);
  last = at(e);
  ink.fillStyle = '#fff';
  ink.beginPath();
  ink.arc(last.x, last.y, 9, 0, 2 * Math.PI);
  ink.fill();
  e.preventDefault();
});
pad.addEventListener('pointermove', (e) => {
  if (!last) return;
  const p = at(e);
  ink.strokeStyle = '#fff';
  ink.lineWidth = 18;
  ink.lineCap = 'round';
  ink.lineJoin = 'round';
  ink.beginPath();
  ink.moveTo(last.x, last.y);
  ink.lineTo(p.x, p.y);
  ink.stroke();
  last = p;
  state.drawn = true;
  throttledPredict();
  e.preventDefault();
});
function endStroke() {
  if (!last) return;
  last = null;
  state.drawn = true;
  predict();
}
pad.addEventListener('pointerup', endStroke);
pad.addEventListener('pointercancel', endStroke);
$('clear').addEventListener('click', clearPad);

// ---- a dropped or picked picture is sent as it is (the server prepares it exactly as `runner predict` does)
function usePicture(file) {
  if (!file || !/^image\/(png|jpeg)$/.test(file.type)) { $('error').textContent = 'drop a PNG or JPEG picture'; return; }
  const reader = new FileReader();
  reader.onload = () => {
    const url = reader.result;
    const img = new Image();
    img.onload = () => {
      ink.fillStyle = '#fff';
      ink.fillRect(0, 0, pad.width, pad.height);
      const s = Math.min(pad.width / img.width, pad.height / img.height);
      ink.drawImage(img, (pad.width - img.width * s) / 2, (pad.height - img.height * s) / 2, img.width * s, img.height * s);
    };
    img.src = url;
    state.picture = url;
    state.drawn = true;
    predict();
  };
  reader.readAsDataURL(file);
}
pad.addEventListener('dragover', (e) => { e.preventDefault(); pad.classList.add('drop'); });
pad.addEventListener('dragleave', () => pad.classList.remove('drop'));
pad.addEventListener('drop', (e) => { e.preventDefault(); pad.classList.remove('drop'); usePicture(e.dataTransfer.files[0]); });
$('file').addEventListener('change', (e) => usePicture(e.target.files[0]));

// ---- predictions
let timer = null;
function throttledPredict() {
  if (timer) return;
  timer = setTimeout(() => { timer = null; predict(); }, 120);
}

function models() {
  const list = ['base'];
  for (const a of state.adapters) if (state.shown.has(a.name)) list.push(a.name);
  const mix = {};
  for (const [name, w] of state.weights) if (w !== 0) mix[name] = w;
  if (Object.keys(mix).length > 0) list.push(mix);
  return list;
}

async function predict() {
  if (!state.drawn) return;
  if (state.busy) { state.again = true; return; }
  state.busy = true;
  try {
    const image = state.picture || pad.toDataURL('image/png');
    const response = await fetch('/api/predict', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ images: [{ image }], models: models(), top: 3 }),
    });
    const body = await response.json();
    if (!response.ok) { $('error').textContent = body.error || ('HTTP ' + response.status); return; }
    $('error').textContent = '';
    show(body.results[0]);
  } catch (err) {
    $('error').textContent = 'cannot reach the server: ' + err;
  } finally {
    state.busy = false;
    if (state.again) { state.again = false; predict(); }
  }
}

function show(result) {
  if (result.prepared) {
    const bytes = Uint8Array.from(atob(result.prepared), (c) => c.charCodeAt(0));
    const small = new ImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      small.data[4 * i] = small.data[4 * i + 1] = small.data[4 * i + 2] = bytes[i];
      small.data[4 * i + 3] = 255;
    }
    const c = document.createElement('canvas');
    c.width = c.height = 28;
    c.getContext('2d').putImageData(small, 0, 0);
    const p = $('prepared').getContext('2d');
    p.imageSmoothingEnabled = false;
    p.drawImage(c, 0, 0, 140, 140);
    $('prepared-note').textContent = result.inverted ? 'inverted to white ink on black, then prepared as MNIST\'s digits' : '28×28, ink\'s box scaled to 20 px and centred by mass, as MNIST\'s digits.';
  }
  const cards = result.models.map((m) => card(m));
  $('cards').replaceChildren(...cards);
  document.body.dataset.predicted = String(Number(document.body.dataset.predicted || '0') + 1);
}

function card(m) {
  const div = document.createElement('div');
  const isBase = m.model === 'base';
  const isMix = m.model.includes('=');
  div.className = 'card' + (isBase ? '' : ' adapted');
  div.dataset.model = isMix ? 'mix' : m.model;
  const h = document.createElement('h4');
  h.textContent = isBase ? 'base' : m.model;
  const kind = document.createElement('div');
  kind.className = 'kind';
  kind.textContent = isBase ? 'frozen base, no adapter' : isMix ? 'weighted mix of adapters' : 'base + this adapter';
  const digit = document.createElement('div');
  digit.className = 'digit';
  digit.textContent = String(m.digit);
  div.append(h, kind, digit);
  for (const t of m.top) {
    const bar = document.createElement('div');
    bar.className = 'bar';
    const d = document.createElement('span');
    d.textContent = String(t.digit);
    const track = document.createElement('span');
    track.className = 'track';
    const fill = document.createElement('span');
    fill.className = 'fill';
    fill.style.display = 'block';
    fill.style.width = (100 * t.p).toFixed(1) + '%';
    track.append(fill);
    const p = document.createElement('span');
    p.textContent = (100 * t.p).toFixed(1) + '%';
    bar.append(d, track, p);
    div.append(bar);
  }
  return div;
}

// ---- adapters: show/hide and mix weights
async function loadAdapters() {
  const [health, list] = await Promise.all([fetch('/api/health').then((r) => r.json()), fetch('/api/adapters').then((r) => r.json())]);
  $('status').textContent = 'base ' + health.base.file + ' (' + health.base.dataset + ', weights ' + health.base.sha256.slice(0, 12) + '…) · '
    + health.adapters + ' adapter(s) · engine ' + health.backend + ' · ' + health.strategy + ' batching';
  state.adapters = list.adapters;
  const rows = [];
  for (const a of state.adapters) {
    state.shown.add(a.name);
    if (!state.weights.has(a.name)) state.weights.set(a.name, 0);
    const tr = document.createElement('tr');
    const show = document.createElement('input');
    show.type = 'checkbox';
    show.checked = true;
    show.dataset.adapter = a.name;
    show.addEventListener('change', () => { if (show.checked) state.shown.add(a.name); else state.shown.delete(a.name); predict(); });
    const weight = document.createElement('input');
    weight.type = 'range';
    weight.min = '-1';
    weight.max = '2';
    weight.step = '0.1';
    weight.value = '0';
    const value = document.createElement('span');
    value.textContent = ' 0';
    weight.addEventListener('input', () => { state.weights.set(a.name, Number(weight.value)); value.textContent = ' ' + weight.value; throttledPredict(); });
    const cells = [show, document.createTextNode(a.name), document.createTextNode(String(a.rank)), document.createTextNode(a.targets.join(', ')), null];
    for (const c of cells) {
      const td = document.createElement('td');
      if (c) td.append(c); else td.append(weight, value);
      tr.append(td);
    }
    rows.push(tr);
  }
  document.querySelector('#adapters tbody').replaceChildren(...rows);
}

// ---- results: per-class tables and sweep charts from the results folder
async function loadRuns() {
  const body = await fetch('/api/results').then((r) => r.json());
  const select = $('runs');
  const runs = body.runs || [];
  select.replaceChildren(...runs.map((r, i) => { const o = document.createElement('option'); o.value = String(i); o.textContent = r.name; return o; }));
  const pick = () => showRun(runs[Number(select.value)]);
  select.addEventListener('change', pick);
  const preferred = runs.findIndex((r) => r.name === 'lora-r16');
  if (preferred >= 0) select.value = String(preferred);
  if (runs.length > 0) pick(); else $('run-view').textContent = 'no results folder is shown (start with --results DIR)';
}

async function showRun(run) {
  const view = $('run-view');
  view.replaceChildren();
  if (!run) return;
  for (const path of [run.perClass, run.sweep]) {
    if (!path) continue;
    const text = await fetch('/results/' + path).then((r) => r.text());
    view.append(table(text));
  }
  for (const chart of run.charts.filter((c) => c.endsWith('.png'))) {
    const img = document.createElement('img');
    img.src = '/results/' + chart;
    img.alt = 'sweep chart of ' + run.name;
    view.append(img);
  }
}

function table(csv) {
  const lines = csv.trim().split(/\r?\n/).map((l) => l.split(','));
  const t = document.createElement('table');
  lines.forEach((cells, i) => {
    const tr = document.createElement('tr');
    for (const c of cells) { const td = document.createElement(i === 0 ? 'th' : 'td'); td.textContent = c; tr.append(td); }
    t.append(tr);
  });
  return t;
}

clearPad();
loadAdapters().catch((e) => { $('status').textContent = 'cannot reach the server: ' + e; });
loadRuns().catch(() => {});
