// The overview: counts, events by type, the timeline, top names, settings.
const TYPE_COLORS = new Map();

function overview() {
  const root = clear(document.getElementById('view-overview'));
  const docs = DATA.documents;
  const failed = docs.filter((d) => d.error !== null).length;
  const cards = root.appendChild(el('div', 'cards'));
  const card = (n, label, href) => {
    const c = cards.appendChild(el('div', 'card'));
    c.appendChild(el('b', null, n.toLocaleString('en')));
    c.appendChild(href ? link(href, label) : el('span', null, label));
  };
  card(docs.length, 'documents', '#documents');
  card(docs.length - failed, 'processed');
  card(failed, 'failed', '#errors');
  card(DATA.merged.length, 'merged events', '#events');
  card(DATA.mentions.length, 'event mentions');
  card(DATA.texts.length, 'texts in this page', '#documents');
  if (DATA.texts_left_out > 0) {
    root.appendChild(el('p', 'note', DATA.texts_left_out.toLocaleString('en') +
      ' documents\u2019 texts are left out of this page (it carries the ' + DATA.max_docs +
      ' with the most events; --report-docs N sets the bound). All counts, the timeline and' +
      ' the events table cover every document.'));
  }
  const cols = root.appendChild(el('div', 'cols'));
  cols.appendChild(byType());
  cols.appendChild(timeline());
  const names = root.appendChild(el('div', 'cols'));
  names.appendChild(topNames('Most frequent actors', DATA.actors, 'f-actor'));
  names.appendChild(topNames('Most frequent places', DATA.places, 'f-place'));
  root.appendChild(settings());
}

function byType() {
  const box = el('div', 'iso');
  box.appendChild(el('h2', null, 'Events by type'));
  const counts = new Map();
  for (const m of DATA.merged) {
    const c = counts.get(m.type) || [0, 0];
    c[0] += 1;
    c[1] += m.mentions.length;
    counts.set(m.type, c);
  }
  const rows = Array.from(counts).sort((a, b) => b[1][0] - a[1][0]);
  const max = rows.length ? rows[0][1][0] : 1;
  box.appendChild(table(['type', 'merged events', 'mentions', ''], rows.map(([type, c]) => {
    const name = el('span');
    name.appendChild(swatch(colorOf(TYPE_COLORS, type)));
    name.appendChild(link('#events', type)).onclick = () => { filterTo({ type: type }); };
    const bar = el('span', 'bar');
    bar.style.width = Math.max(2, Math.round(160 * c[0] / max)) + 'px';
    return [name, c[0], c[1], bar];
  })));
  return box;
}

// Day buckets for short spans, months up to ten years, years beyond.
function bucketOf(days) {
  const span = (Date.parse(days[days.length - 1]) - Date.parse(days[0])) / 864e5;
  return span <= 92 ? 10 : span <= 3660 ? 7 : 4;
}

// Every bucket from the first to the last, empty ones too, so gaps show.
function bucketKeys(first, last, len) {
  const keys = [];
  const d = new Date(first.slice(0, 10) + 'T00:00:00Z');
  d.setUTCDate(1);
  if (len === 4) d.setUTCMonth(0);
  if (len === 10) d.setUTCDate(+first.slice(8, 10));
  while (keys.length < 4000) {
    const key = d.toISOString().slice(0, len);
    if (key > last) break;
    keys.push(key);
    if (len === 10) d.setUTCDate(d.getUTCDate() + 1);
    else if (len === 7) d.setUTCMonth(d.getUTCMonth() + 1);
    else d.setUTCFullYear(d.getUTCFullYear() + 1);
  }
  return keys;
}

function timeline() {
  const box = el('div', 'iso');
  box.appendChild(el('h2', null, 'Timeline (merged events by date, stacked by type, colours as above)'));
  const dated = DATA.merged.filter((m) => isDay(m.date));
  const none = DATA.merged.filter((m) => !m.date).length;
  const coarse = DATA.merged.length - dated.length - none;
  const note = 'Not on the timeline: ' + none + ' without a date, ' + coarse +
    ' with only a year, month, week or duration.';
  if (!dated.length) {
    box.appendChild(el('p', 'muted', 'No event has a resolved day. ' + note));
    return box;
  }
  const days = dated.map((m) => m.date.slice(0, 10)).sort();
  const len = bucketOf(days);
  const keys = bucketKeys(days[0], days[days.length - 1].slice(0, len), len);
  const buckets = new Map(keys.map((k) => [k, new Map()]));
  for (const m of dated) {
    const b = buckets.get(m.date.slice(0, len));
    if (b) b.set(m.type, (b.get(m.type) || 0) + 1);
  }
  box.appendChild(timelineSvg(keys, buckets));
  box.appendChild(el('p', 'muted', note));
  return box;
}

function timelineSvg(keys, buckets) {
  const NS = 'http://www.w3.org/2000/svg';
  const W = 720;
  const H = 200;
  const left = 34;
  const bottom = 30;
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('width', W);
  svg.setAttribute('height', H);
  svg.setAttribute('id', 'timeline');
  const total = (b) => Array.from(b.values()).reduce((x, y) => x + y, 0);
  const max = Math.max(...keys.map((k) => total(buckets.get(k))));
  const step = (W - left) / keys.length;
  const scale = (H - bottom - 10) / max;
  const add = (tag, attrs) => {
    const e = svg.appendChild(document.createElementNS(NS, tag));
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    return e;
  };
  add('text', { x: 0, y: 12 }).textContent = String(max);
  add('line', { x1: left, y1: H - bottom, x2: W, y2: H - bottom, stroke: '#999' });
  const every = Math.ceil(keys.length / 8);
  const order = Array.from(TYPE_COLORS.keys());
  keys.forEach((key, i) => {
    let y = H - bottom;
    // Types stack in one order everywhere (that of Events by type).
    for (const type of order) {
      const n = buckets.get(key).get(type);
      if (!n) continue;
      const h = n * scale;
      y -= h;
      const r = add('rect', { x: left + i * step + 1, y: y, width: Math.max(1, step - 2), height: h,
        fill: colorOf(TYPE_COLORS, type), class: 'tl-bar' });
      const tip = r.appendChild(document.createElementNS(NS, 'title'));
      tip.textContent = visible(key + ' \u2014 ' + type + ': ' + n);
      r.addEventListener('click', () => { const d = dayRange(key); filterTo({ from: d[0], to: d[1] }); });
    }
    if (i % every === 0) add('text', { x: left + i * step, y: H - bottom + 16 }).textContent = key;
  });
  return svg;
}

function topNames(title, names, field) {
  const box = el('div', 'iso');
  box.appendChild(el('h2', null, title));
  box.appendChild(table(['name', 'type', 'documents', 'mentions'], names.map((n) => {
    const a = link('#events', n.name);
    a.onclick = () => { filterTo({ [field]: n.name }); };
    return [a, n.type, n.documents, n.mentions];
  })));
  return box;
}

function settings() {
  const box = el('div');
  box.appendChild(el('h2', null, 'Run settings'));
  const run = DATA.run;
  if (!run) {
    box.appendChild(el('p', 'muted', 'No run.json in the output directory (a run of an older casefile).'));
    return box;
  }
  const rows = [['casefile version', run.casefile], ['inputs', run.inputs.join(', ')], ['model', run.model],
    ['events engine', run.engine], ['parser', run.parser || 'none']];
  for (const [kind, file] of Object.entries(run.rules)) rows.push([kind + ' rules', file]);
  box.appendChild(table(['setting', 'value'], rows));
  return box;
}
