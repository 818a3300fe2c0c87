// Progressive enhancement only: every page works without this file.
document.addEventListener('click', (event) => {
  const button = event.target.closest('[data-copy]');
  if (!button) return;
  const source = document.getElementById(button.getAttribute('data-copy'));
  if (!source) return;
  // The words come from the page (data-copied, data-copy-manual), in the reader's language.
  navigator.clipboard.writeText(source.value || source.textContent || '').then(
    () => { button.textContent = button.dataset.copied || 'Copied'; },
    () => { source.select?.(); button.textContent = button.dataset.copyManual || 'Press Ctrl+C to copy'; },
  );
});

// Keyboard in the queue: j / k move through the incidents, Enter opens the one focused (its link),
// ? shows the shortcuts. Keys typed into a field, or with a modifier, are left alone.
(() => {
  const table = document.getElementById('incidents');
  const help = document.getElementById('keys-help');
  if (!table) return;
  const links = () => Array.from(table.querySelectorAll('tbody a.name'));
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest('input, textarea, select, [contenteditable]')) return;
    if (event.key === '?' && help) {
      event.preventDefault();
      if (!help.open) help.showModal();
      return;
    }
    if (event.key === 'p') {
      const row = document.activeElement?.closest('tr[data-incident-id]');
      if (!row) return;
      event.preventDefault();
      const url = new URL(location.href);
      url.searchParams.set('preview', row.getAttribute('data-incident-id'));
      location.assign(url.toString());
      return;
    }
    if (event.key === 'x') {
      const box = document.activeElement?.closest('tr')?.querySelector('input[name="ids"]');
      if (!box) return;
      event.preventDefault();
      box.checked = !box.checked;
      return;
    }
    if (event.key !== 'j' && event.key !== 'k') return;
    const all = links();
    if (!all.length) return;
    const at = all.indexOf(document.activeElement);
    const next = at < 0 ? 0 : Math.min(all.length - 1, Math.max(0, at + (event.key === 'j' ? 1 : -1)));
    event.preventDefault();
    all[next].focus();
    all[next].closest('tr').scrollIntoView({ block: 'nearest' });
  });
})();

// A bulk job's progress page: while the job runs, its figures and rows are fetched again every few
// seconds (the Reload link does the same without script). When it ends, the page reloads whole, so
// that its buttons match.
(() => {
  const live = document.getElementById('job-live');
  if (!live || live.dataset.live !== '1') return;
  const refresh = async () => {
    try {
      const res = await fetch(location.href, { headers: { accept: 'text/html' }, credentials: 'same-origin' });
      if (!res.ok) return;
      const next = new DOMParser().parseFromString(await res.text(), 'text/html').getElementById('job-live');
      if (!next) return;
      if (next.dataset.live !== '1') return location.reload();
      document.getElementById('job-live').replaceWith(next);
    } finally {
      setTimeout(refresh, 2000);
    }
  };
  setTimeout(refresh, 2000);
})();

// The queue's preview: a click on a row (not on its link or box) previews it; the previewed row is
// marked and takes the focus, so that j / k go on from it.
(() => {
  const table = document.getElementById('incidents');
  if (!table) return;
  table.addEventListener('click', (event) => {
    if (event.target.closest('a, input, button, label')) return;
    const row = event.target.closest('tr[data-incident-id]');
    if (!row) return;
    const url = new URL(location.href);
    url.searchParams.set('preview', row.getAttribute('data-incident-id'));
    location.assign(url.toString());
  });
  const previewed = new URL(location.href).searchParams.get('preview');
  if (!previewed) return;
  const row = Array.from(table.querySelectorAll('tr[data-incident-id]')).find((r) => r.getAttribute('data-incident-id') === previewed);
  if (!row) return;
  row.classList.add('previewed');
  row.querySelector('a.name')?.focus();
})();

// Advanced hunting: line numbers, Ctrl+Enter, progress with Cancel, going to an error, sorting the results shown.
(() => {
  const form = document.getElementById('hunt-form');
  if (!form) return;
  const query = document.getElementById('query');
  const gutter = document.getElementById('gutter');
  const run = document.getElementById('run');
  const progress = document.getElementById('hunt-progress');
  const cancel = document.getElementById('hunt-cancel');
  const lines = () => query.value.split('\n').length;
  const renumber = () => {
    const n = lines();
    query.rows = Math.max(n + 1, 8);
    if (gutter.children.length === n) return;
    gutter.replaceChildren(...Array.from({ length: n }, (_, i) => Object.assign(document.createElement('li'), { textContent: String(i + 1) })));
  };
  query.addEventListener('input', renumber);
  query.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit(run);
    }
  });
  for (const id of ['from', 'to']) {
    document.getElementById(id).addEventListener('input', () => { document.getElementById('range').value = 'custom'; });
  }
  // The query runs as a normal form post; Cancel stops that navigation, which closes the connection,
  // and the server aborts its call to Microsoft.
  // The words come from the page, in the analyst's language; English if the page lacks them.
  const words = (name, fallback) => progress.getAttribute(`data-${name}`) || fallback;
  let timer;
  form.addEventListener('submit', (event) => {
    if (event.submitter !== run) return;
    const started = Date.now();
    progress.textContent = words('running', 'Running…');
    cancel.hidden = false;
    timer = setInterval(() => {
      progress.textContent = words('running-for', 'Running… {{seconds}} s').replace('{{seconds}}', String(Math.round((Date.now() - started) / 1000)));
    }, 1000);
  });
  cancel.addEventListener('click', () => {
    window.stop();
    clearInterval(timer);
    cancel.hidden = true;
    progress.textContent = words('cancelled', 'Cancelled: the query was stopped. It is still in the editor.');
    query.focus();
  });
  window.addEventListener('pageshow', () => { clearInterval(timer); cancel.hidden = true; });
  const goto = document.getElementById('goto-error');
  if (goto) {
    goto.addEventListener('click', () => {
      const line = Number(goto.getAttribute('data-line'));
      const column = Number(goto.getAttribute('data-column'));
      const before = query.value.split('\n').slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
      query.focus();
      query.setSelectionRange(before + column - 1, before + column);
    });
  }
  const table = document.getElementById('hunt-results');
  if (!table) return;
  const body = table.tBodies[0];
  const heads = Array.from(table.tHead.rows[0].cells);
  heads.forEach((th, col) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.append(...th.childNodes);
    th.append(button);
    th.setAttribute('aria-sort', 'none');
    button.addEventListener('click', () => {
      const ascending = th.getAttribute('aria-sort') !== 'ascending';
      heads.forEach((h) => h.setAttribute('aria-sort', 'none'));
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      const key = (row) => row.cells[col].getAttribute('data-key');
      const compare = (a, b) => {
        const x = key(a);
        const y = key(b);
        const nx = x === '' ? NaN : Number(x);
        const ny = y === '' ? NaN : Number(y);
        const c = Number.isFinite(nx) && Number.isFinite(ny) ? nx - ny : x.localeCompare(y);
        return ascending ? c : -c;
      };
      body.append(...Array.from(body.rows).sort(compare));
    });
  });
})();
