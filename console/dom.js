// What every view of the console builds its page with.

// An element with its attributes and children (text or elements): never HTML from text, so that
// nothing the gateway returns is run as markup.
export function element(tag, attributes = {}, ...children) {
  const e = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) e.setAttribute(name, value);
  for (const c of children) e.append(c);
  return e;
}

export function option(value, label) {
  return element('option', { value }, label);
}

// A check's result, in words and not only in colour.
export function mark(ok, yes, no) {
  return element('span', { class: ok ? 'verified' : 'not-verified' }, ok ? `✔ ${yes}` : `✘ ${no}`);
}

export function frenchTime(time) {
  return time ? new Date(time).toLocaleString('fr-FR') : '—';
}

// A table with a caption, column headers and rows (arrays of cells).
export function table(id, caption, headers, rows) {
  return element('table', { id },
    element('caption', {}, caption),
    element('thead', {}, element('tr', {}, ...headers.map((h) => element('th', { scope: 'col' }, h)))),
    element('tbody', {}, ...rows.map((cells) => (cells instanceof Element ? cells
      : element('tr', {}, ...cells.map((c) => (c instanceof Element && c.tagName === 'TD' ? c
        : element('td', {}, c ?? '—'))))))));
}

// A refusal in French: the problem's detail, which the gateway writes for people.
export function refusal(what, answer) {
  return element('p', { role: 'alert' },
    `${what} : ${answer.body?.detail ?? answer.body?.title ?? `statut ${answer.status}`}.`);
}
