'use strict';
// casefile report. Every string from the input is put into the page as a text
// node (never parsed as markup), so no input can add elements or script.
const DATA = JSON.parse(document.getElementById('report-data').textContent);
const PAGE = 500;
const PALETTE = ['#2f5fb3', '#d9822b', '#3a9e5c', '#b8324f', '#7d5cb8', '#2a9d9d',
  '#a6761d', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#8c564b'];
const ENTITY_CLASSES = new Set(['PER', 'ORG', 'LOC', 'MISC']);
// Bidi controls, shown as visible tags and isolated so they reorder nothing.
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
const BIDI_NAMES = { '\u061C': 'ALM', '\u200E': 'LRM', '\u200F': 'RLM', '\u202A': 'LRE',
  '\u202B': 'RLE', '\u202C': 'PDF', '\u202D': 'LRO', '\u202E': 'RLO', '\u2066': 'LRI',
  '\u2067': 'RLI', '\u2068': 'FSI', '\u2069': 'PDI' };

function el(tag, cls, content) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (content !== undefined && content !== null) text(e, String(content));
  return e;
}

// Appends `s` as text; each bidi control becomes an isolated, visible tag that
// still holds the character, so the text's characters stay exactly the input's.
function text(parent, s) {
  let rest = s;
  let m;
  while ((m = BIDI.exec(rest)) !== null) {
    if (m.index > 0) parent.appendChild(document.createTextNode(rest.slice(0, m.index)));
    const c = el('span', 'ctl');
    c.dataset.name = BIDI_NAMES[m[0]];
    c.appendChild(document.createTextNode(m[0]));
    parent.appendChild(c);
    rest = rest.slice(m.index + 1);
  }
  if (rest) parent.appendChild(document.createTextNode(rest));
  return parent;
}

// For attributes and <option>s, which hold no elements: controls spelled out.
function visible(s) {
  return String(s).replace(new RegExp(BIDI.source, 'g'), (c) => '[' + BIDI_NAMES[c] + ']');
}

function link(href, label) {
  const a = el('a', null, label);
  a.href = href;
  return a;
}

// Only http(s) addresses become links; `javascript:` and the like stay text.
function safeUrl(u) {
  try {
    const url = new URL(u);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch (e) {
    return null;
  }
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

function colorOf(map, key) {
  if (!map.has(key)) map.set(key, PALETTE[map.size % PALETTE.length]);
  return map.get(key);
}

function swatch(color) {
  const s = el('span', 'swatch');
  s.style.background = color;
  return s;
}

// Renders code points [from, to) of `cps` into `parent`. Each group (sorted,
// disjoint) becomes one wrapping element made by group.make(); marks may
// overlap anything and become spans with their classes on the pieces they cover.
function highlight(parent, cps, from, to, groups, marks) {
  const cuts = new Set([from, to]);
  for (const s of groups.concat(marks)) {
    for (const p of [s.s, s.e]) if (p > from && p < to) cuts.add(p);
  }
  const points = Array.from(cuts).sort((a, b) => a - b);
  let gi = 0;
  let group = null;
  let wrap = null;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i];
    const b = points[i + 1];
    while (gi < groups.length && groups[gi].e <= a) gi++;
    const g = gi < groups.length && groups[gi].s <= a ? groups[gi] : null;
    if (g !== group) {
      group = g;
      wrap = g ? parent.appendChild(g.make()) : null;
    }
    const target = wrap || parent;
    const piece = cps.slice(a, b).join('');
    const on = marks.filter((m) => m.s <= a && b <= m.e);
    if (!on.length) {
      text(target, piece);
      continue;
    }
    const span = el('span', on.map((m) => m.cls).join(' '));
    const titles = on.map((m) => m.title).filter(Boolean);
    if (titles.length) span.title = visible(titles.join('\n'));
    target.appendChild(text(span, piece));
  }
}

// Appends rows PAGE at a time: a large run's table stays quick to draw.
function pager(tbody, button, items, drawRow) {
  let shown = 0;
  function more() {
    const end = Math.min(items.length, shown + PAGE);
    for (; shown < end; shown++) drawRow(tbody, items[shown]);
    button.hidden = shown >= items.length;
    clear(button);
    text(button, 'Show ' + Math.min(PAGE, items.length - shown) + ' more of ' + (items.length - shown));
  }
  button.onclick = more;
  more();
}

// A date value as the day range it covers: "2024-03-02", "2024-03", "2024"
// (week values count as their year); null for no date or only a duration.
function dayRange(v) {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(v || '');
  if (!m) return null;
  if (m[3]) return [m[0], m[0]];
  if (m[2]) {
    const last = new Date(Date.UTC(+m[1], +m[2], 0)).getUTCDate();
    return [m[1] + '-' + m[2] + '-01', m[1] + '-' + m[2] + '-' + String(last).padStart(2, '0')];
  }
  return [m[1] + '-01-01', m[1] + '-12-31'];
}

function isDay(v) {
  return /^\d{4}-\d{2}-\d{2}/.test(v || '');
}

function table(headers, rows) {
  const t = el('table', 'data');
  const tr = t.appendChild(el('thead')).appendChild(el('tr'));
  for (const h of headers) tr.appendChild(el('th', null, h));
  const body = t.appendChild(el('tbody'));
  for (const r of rows) {
    const row = body.appendChild(el('tr'));
    for (const c of r) {
      const td = row.appendChild(el('td'));
      if (c instanceof Node) td.appendChild(c);
      else text(td, c === null || c === undefined ? '' : String(c));
    }
  }
  return t;
}
