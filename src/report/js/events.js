// The events table: merged events, sortable and filterable; a row opens its
// mentions, each sentence with its trigger and arguments highlighted.
const EVENTS = DATA.merged.map((m, i) => {
  let killed = null;
  let injured = null;
  const hay = [m.id, m.type, m.date, m.agent, m.patient, m.place, m.instrument];
  for (const k of m.mentions) {
    const x = DATA.mentions[k];
    if (x.killed !== null) killed = Math.max(killed || 0, x.killed);
    if (x.injured !== null) injured = Math.max(injured || 0, x.injured);
    hay.push(DATA.sentences[x.sentence], DATA.documents[x.doc].id);
  }
  const casualties = (killed === null ? '' : killed + ' killed') +
    (killed !== null && injured !== null ? ', ' : '') +
    (injured === null ? '' : injured + ' injured');
  return { i: i, m: m, killed: (killed || 0) + (injured || 0) / 1e6, casualties: casualties,
    range: dayRange(m.date), hay: hay.join('\n').toLowerCase(),
    actors: (m.agent + '\n' + m.patient).toLowerCase(), place: m.place.toLowerCase() };
});
const SORT = { key: null, dir: 1 };
const SORT_VALUE = {
  type: (e) => e.m.type, date: (e) => e.m.date, agent: (e) => e.m.agent,
  patient: (e) => e.m.patient, place: (e) => e.m.place, casualties: (e) => e.killed,
  sources: (e) => e.m.sources.length,
};
let openOnDraw = null;

function eventsSetup() {
  const types = Array.from(new Set(DATA.merged.map((m) => m.type))).sort();
  const select = document.getElementById('f-type');
  for (const t of types) {
    const o = select.appendChild(el('option'));
    o.value = t;
    o.textContent = visible(t);
  }
  const form = document.getElementById('filters');
  form.addEventListener('submit', (e) => e.preventDefault());
  form.addEventListener('input', drawEvents);
  form.addEventListener('reset', () => setTimeout(drawEvents, 0));
  for (const th of document.querySelectorAll('#events-table th[data-key]')) {
    th.addEventListener('click', () => {
      SORT.dir = SORT.key === th.dataset.key ? -SORT.dir : 1;
      SORT.key = th.dataset.key;
      for (const h of document.querySelectorAll('#events-table th')) h.removeAttribute('aria-sort');
      th.setAttribute('aria-sort', SORT.dir > 0 ? 'ascending' : 'descending');
      drawEvents();
    });
  }
}

// Opens the events view with these filters (others cleared).
function filterTo(f) {
  for (const k of ['type', 'from', 'to', 'actor', 'place', 'text']) {
    document.getElementById('f-' + k).value = f[k] || f['f-' + k] || '';
  }
  if (f.open !== undefined) openOnDraw = f.open;
  location.hash = '#events';
  drawEvents();
}

function filters() {
  const v = (k) => document.getElementById('f-' + k).value.trim();
  return { type: v('type'), from: v('from'), to: v('to'), actor: v('actor').toLowerCase(),
    place: v('place').toLowerCase(), text: v('text').toLowerCase() };
}

function matches(e, f) {
  if (f.type && e.m.type !== f.type) return false;
  if (f.from || f.to) {
    if (!e.range) return false;
    if (f.from && e.range[1] < f.from) return false;
    if (f.to && e.range[0] > f.to) return false;
  }
  if (f.actor && !e.actors.includes(f.actor)) return false;
  if (f.place && !e.place.includes(f.place)) return false;
  return !f.text || e.hay.includes(f.text);
}

function drawEvents() {
  const f = filters();
  const rows = EVENTS.filter((e) => matches(e, f));
  if (SORT.key) {
    const val = SORT_VALUE[SORT.key];
    rows.sort((a, b) => {
      const x = val(a);
      const y = val(b);
      return (x < y ? -1 : x > y ? 1 : a.i - b.i) * (x === y ? 1 : SORT.dir);
    });
  }
  const count = clear(document.getElementById('events-count'));
  text(count, rows.length.toLocaleString('en') + ' of ' + EVENTS.length.toLocaleString('en') +
    ' merged events. Click a row to see its mentions.');
  count.dataset.rows = rows.length;
  const tbody = clear(document.querySelector('#events-table tbody'));
  pager(tbody, document.getElementById('events-more'), rows, eventRow);
  if (openOnDraw !== null) {
    const tr = tbody.querySelector('tr.ev[data-index="' + openOnDraw + '"]');
    openOnDraw = null;
    if (tr) tr.click();
  }
}

function eventRow(tbody, e) {
  const tr = tbody.appendChild(el('tr', 'ev'));
  tr.dataset.index = e.i;
  tr.dataset.type = e.m.type;
  const m = e.m;
  for (const c of [m.type, m.date, m.agent, m.patient, m.place, e.casualties,
    m.sources.length + (m.mentions.length > m.sources.length ? ' (' + m.mentions.length + ' mentions)' : '')]) {
    tr.appendChild(el('td', null, c));
  }
  tr.tabIndex = 0;
  tr.addEventListener('click', () => toggleMentions(tr, e));
  tr.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') toggleMentions(tr, e); });
}

function toggleMentions(tr, e) {
  const next = tr.nextSibling;
  if (next && next.classList && next.classList.contains('detail')) {
    next.remove();
    tr.classList.remove('open');
    return;
  }
  tr.classList.add('open');
  const detail = el('tr', 'detail');
  const td = detail.appendChild(el('td'));
  td.colSpan = 7;
  if (e.m.instrument) td.appendChild(el('div', 'meta', 'instrument: ' + e.m.instrument));
  for (const k of e.m.mentions) td.appendChild(mentionView(DATA.mentions[k], k));
  tr.after(detail);
}

// The document view scrolled to mention `k` (its trigger and card marked).
function docLink(d, k) {
  const doc = DATA.documents[d];
  if (doc.text === null) {
    return el('span', 'muted', doc.id + ' (text not in this page)');
  }
  return link('#doc/' + doc.text + (k === undefined ? '' : '/' + k), doc.id);
}

// A mention: its sentence with the trigger and every argument highlighted
// (role as a tooltip and a small tag), and where it comes from.
function mentionView(x, k) {
  const box = el('div', 'mention');
  const meta = box.appendChild(el('div', 'meta'));
  meta.appendChild(docLink(x.doc, k));
  text(meta, ' \u00b7 ' + x.id + ' \u00b7 rule ' + x.rule + ' \u00b7 score ' + x.score.toFixed(2) +
    (x.modality !== 'asserted' ? ' \u00b7 ' + x.modality : ''));
  const cps = Array.from(DATA.sentences[x.sentence]);
  const marks = [{ s: x.trigger[0] - x.at, e: x.trigger[1] - x.at, cls: 'trigger', title: 'trigger: ' + x.type }];
  for (const [role, s, e, name, value] of x.args) {
    marks.push({ s: s - x.at, e: e - x.at, cls: 'arg', title: role + ': ' + name + (value ? ' = ' + value : '') });
  }
  const sentence = box.appendChild(el('div', 'sentence'));
  highlight(sentence, cps, 0, cps.length, [], marks.filter((m) => m.s >= 0 && m.e <= cps.length));
  const roles = box.appendChild(el('div', 'meta'));
  text(roles, x.args.map(([role, , , name, value]) => role + ': ' + name + (value ? ' (' + value + ')' : '')).join(' \u00b7 '));
  return box;
}
