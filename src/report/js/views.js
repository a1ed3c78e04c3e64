// The documents list, a document's view, the errors, and the router.
function documentsView() {
  const root = clear(document.getElementById('view-documents'));
  root.appendChild(el('h2', null, 'Documents'));
  if (DATA.texts_left_out > 0) {
    root.appendChild(el('p', 'note', DATA.texts_left_out + ' documents\u2019 texts are not in this page' +
      ' (bound: --report-docs ' + DATA.max_docs + ', those with the most events are kept).'));
  }
  const t = table(['document', 'title', 'published', 'events', 'entities', 'status'], []);
  t.id = 'documents-table';
  root.appendChild(t);
  const more = root.appendChild(el('button'));
  more.type = 'button';
  pager(t.querySelector('tbody'), more, DATA.documents, (tbody, d) => {
    const tr = tbody.appendChild(el('tr'));
    const id = tr.appendChild(el('td'));
    id.appendChild(d.text === null ? el('span', null, d.id) : link('#doc/' + d.text, d.id));
    for (const c of [d.title || '', d.published || '', d.events, d.entities]) tr.appendChild(el('td', null, c));
    tr.appendChild(el('td', null, d.error !== null ? 'failed: ' + d.error : d.text === null ? 'text left out' : 'ok'));
  });
}

function legend(types) {
  const box = el('p', 'legend');
  text(box, 'Legend: ');
  for (const t of types) box.appendChild(el('mark', 'ent ' + entityClass(t), t));
  box.appendChild(el('span', 'time', 'time expression (hover: value)'));
  box.appendChild(el('span', 'trigger', 'event trigger'));
  box.appendChild(el('span', 'boiler', 'left out by cleaning'));
  return box;
}

function entityClass(type) {
  return ENTITY_CLASSES.has(type) ? 't-' + type : 't-other';
}

function docView(n, focus) {
  const root = clear(document.getElementById('view-doc'));
  const t = DATA.texts[n];
  if (!t) {
    root.appendChild(el('p', 'note', 'No such document in this page.'));
    return;
  }
  const doc = DATA.documents[t.doc];
  root.appendChild(el('h2', null, doc.title || doc.id));
  const meta = root.appendChild(el('p', 'muted'));
  text(meta, 'id ' + doc.id + ' \u00b7 ' + doc.source + ' \u00b7 published ' + (doc.published || 'unknown'));
  if (t.url) {
    text(meta, ' \u00b7 ');
    const href = safeUrl(t.url);
    if (href) {
      const a = meta.appendChild(link(href, t.url));
      a.rel = 'noopener noreferrer';
      a.target = '_blank';
    } else meta.appendChild(el('span', 'iso', t.url + ' (not a web address)'));
  }
  for (const w of t.warnings) root.appendChild(el('p', 'note', 'warning: ' + w));
  root.appendChild(legend(Array.from(new Set(t.entities.map((e) => e[2]))).sort()));
  const box = root.appendChild(el('div', 'doctext'));
  box.id = 'doctext';
  const cps = Array.from(t.text);
  highlight(box, cps, 0, cps.length, entityGroups(t), docMarks(t, cps.length));
  root.appendChild(el('h2', null, t.events.length + ' event mentions'));
  const cards = root.appendChild(el('div', 'evcards'));
  for (const k of t.events) {
    const card = cards.appendChild(eventCard(DATA.mentions[k]));
    if (k === focus) card.classList.add('focus');
  }
  const trigger = box.querySelector('.m' + focus);
  if (trigger) {
    trigger.classList.add('focus');
    return trigger;
  }
  return null;
}

function entityGroups(t) {
  let end = 0;
  const groups = [];
  for (const [s, e, type, canonical] of t.entities) {
    if (s < end) continue;
    end = e;
    groups.push({ s: s, e: e, make: () => {
      const m = el('mark', 'ent ' + entityClass(type));
      m.dataset.type = type;
      m.dataset.start = s;
      m.dataset.end = e;
      m.title = visible(type + (canonical ? ' \u00b7 ' + canonical : ''));
      return m;
    } });
  }
  return groups;
}

function docMarks(t, length) {
  const marks = [];
  for (const [s, e, type, value] of t.times) marks.push({ s: s, e: e, cls: 'time', title: type + ' ' + value });
  for (const k of t.events) {
    const x = DATA.mentions[k];
    marks.push({ s: x.trigger[0], e: x.trigger[1], cls: 'trigger m' + k, title: x.type + ' (' + x.id + ')' });
  }
  // Boilerplate: the gaps between the blocks the cleaner kept.
  let at = 0;
  const gap = (s, e) => { if (e > s) marks.push({ s: s, e: e, cls: 'boiler', title: 'left out by cleaning' }); };
  for (const [s, e] of t.blocks) {
    gap(at, s);
    at = e;
  }
  if (t.blocks.length) gap(at, length);
  return marks;
}

function eventCard(x) {
  const card = el('div', 'evcard');
  card.dataset.event = x.id;
  const h = card.appendChild(el('h3'));
  if (x.merged !== null) {
    const a = h.appendChild(link('#events', x.type));
    a.onclick = (ev) => { ev.preventDefault(); filterTo({ text: DATA.merged[x.merged].id.toLowerCase(), open: x.merged }); };
  } else text(h, x.type);
  const dl = card.appendChild(el('dl'));
  const row = (k, v) => {
    dl.appendChild(el('dt', null, k));
    dl.appendChild(el('dd', null, v));
  };
  row('trigger', Array.from(DATA.sentences[x.sentence]).slice(x.trigger[0] - x.at, x.trigger[1] - x.at).join(''));
  for (const [role, , , name, value] of x.args) row(role, name + (value ? ' (' + value + ')' : ''));
  const date = x.args.find((a) => a[0] === 'Time');
  row('date', date && date[4] ? date[4] : 'unresolved');
  if (x.killed !== null || x.injured !== null) {
    const at = x.at_least ? 'at least ' : '';
    row('casualties', [x.killed !== null ? at + x.killed + ' killed' : '', x.injured !== null ? at + x.injured + ' injured' : '']
      .filter(Boolean).join(', '));
  }
  row('rule', x.rule);
  row('score', x.score.toFixed(3));
  if (x.modality !== 'asserted') row('modality', x.modality);
  return card;
}

function errorsView() {
  const root = clear(document.getElementById('view-errors'));
  const failed = DATA.documents.filter((d) => d.error !== null);
  root.appendChild(el('h2', null, failed.length + ' failed documents'));
  const t = table(['document', 'source', 'reason'], failed.map((d) => [d.id, d.source, d.error]));
  t.id = 'errors-table';
  root.appendChild(t);
}

function route() {
  const hash = location.hash.slice(1) || 'overview';
  const doc = /^doc\/(\d+)(?:\/(\d+))?$/.exec(hash);
  const view = doc ? 'doc' : hash;
  const section = document.getElementById('view-' + view) ? view : 'overview';
  for (const s of document.querySelectorAll('section.view')) s.hidden = s.id !== 'view-' + section;
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('on', a.dataset.view === section);
  const focus = doc ? docView(+doc[1], doc[2] === undefined ? null : +doc[2]) : null;
  if (focus) focus.scrollIntoView({ block: 'center' });
  else window.scrollTo(0, 0);
}

(function init() {
  overview();
  eventsSetup();
  drawEvents();
  documentsView();
  errorsView();
  window.addEventListener('hashchange', route);
  route();
  document.body.dataset.ready = '1';
})();
