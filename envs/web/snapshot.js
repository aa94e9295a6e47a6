// Renders the visible page as a compact accessibility-tree-like text with stable element ids.
// Ids live in the data-agora-id attribute: an element keeps its id for as long as it exists, new
// elements get the next number (opts.reset restarts numbering for a new episode). Returns the lines.
(opts) => {
  const root = opts.root ? document.querySelector(opts.root) : document.body;
  if (opts.reset) {
    window.__agoraNextId = 0;
    document.querySelectorAll('[data-agora-id]').forEach((e) => e.removeAttribute('data-agora-id'));
  }
  if (typeof window.__agoraNextId !== 'number') window.__agoraNextId = 0;
  const skip = new Set(opts.skip || []);
  const lines = [];
  const clip = (s, n) => { s = (s || '').replace(/\s+/g, ' ').trim(); return s.length > n ? s.slice(0, n - 1) + '…' : s; };
  const q = (s) => JSON.stringify(clip(s, 120));
  const idOf = (el) => {
    let v = el.getAttribute('data-agora-id');
    if (v === null) { v = String(++window.__agoraNextId); el.setAttribute('data-agora-id', v); }
    return v;
  };
  const ownText = (el) => Array.from(el.childNodes).filter((n) => n.nodeType === 3).map((n) => n.data).join(' ');
  const labelOf = (el) => {
    if (el.getAttribute('aria-label')) return el.getAttribute('aria-label');
    if (el.id) { const l = document.querySelector('label[for="' + CSS.escape(el.id) + '"]'); if (l) return l.textContent; }
    const p = el.closest('label'); if (p) return ownText(p) || p.textContent;
    return el.getAttribute('placeholder') || el.getAttribute('name') || '';
  };
  const INPUT_ROLES = { checkbox: 'checkbox', radio: 'radio', range: 'slider', button: 'button', submit: 'button',
    reset: 'button', number: 'spinbutton' };
  const TAG_ROLES = { A: 'link', BUTTON: 'button', SELECT: 'combobox', TEXTAREA: 'textbox', IMG: 'img',
    H1: 'heading', H2: 'heading', H3: 'heading', H4: 'heading', H5: 'heading', H6: 'heading', LI: 'listitem',
    TD: 'cell', TH: 'columnheader', LABEL: 'label', OPTION: 'option', P: 'text', SPAN: 'text', DIV: 'text' };
  const SVG_SHAPES = new Set(['circle', 'rect', 'polygon', 'ellipse', 'path', 'line', 'text', 'polyline']);

  function describe(el, st) {
    const tag = el.tagName;
    const parts = [];
    let role = el.getAttribute('role') || '';
    if (role === 'presentation' || role === 'none') role = '';
    if (el instanceof SVGElement) {
      const name = el.tagName.toLowerCase();
      if (!SVG_SHAPES.has(name)) return null;
      role = 'svg-' + name;
      const fill = el.getAttribute('fill') || st.fill;
      if (fill && fill !== 'none') parts.push('fill=' + fill);
      return [role, clip(el.textContent, 60), parts];
    }
    if (tag === 'INPUT') {
      const type = (el.type || 'text').toLowerCase();
      if (type === 'hidden') return null;
      role = INPUT_ROLES[type] || 'textbox';
      if (role === 'button') return [role, el.value || labelOf(el), parts];
      if (role === 'checkbox' || role === 'radio') { parts.push(el.checked ? 'checked' : 'unchecked'); return [role, labelOf(el), parts]; }
      if (role === 'textbox' && type !== 'text') parts.push('type=' + type);
      parts.push('value=' + q(el.value));
      return [role, labelOf(el), parts];
    }
    if (tag === 'TEXTAREA') { parts.push('value=' + q(el.value)); return ['textbox', labelOf(el), parts]; }
    if (tag === 'SELECT') {
      const opt = el.options[el.selectedIndex];
      parts.push('value=' + q(opt ? opt.textContent : ''));
      parts.push('options=' + JSON.stringify(Array.from(el.options).map((o) => clip(o.textContent, 40)).slice(0, 30)));
      return ['combobox', labelOf(el), parts];
    }
    if (tag === 'LABEL' && el.querySelector('input, select, textarea')) return null;
    role = role || TAG_ROLES[tag] || '';
    const text = ['A', 'BUTTON', 'LABEL', 'OPTION', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6'].includes(tag) ? el.textContent : ownText(el);
    const name = clip(el.getAttribute('aria-label') || el.getAttribute('alt') || text, 120);
    const clickable = st.cursor === 'pointer' || el.hasAttribute('onclick') || el.hasAttribute('tabindex');
    if ((role === 'listitem' || role === 'cell') && !name) return null;
    if (!role || role === 'text') {
      if (!name && !clickable) return null;
      role = clickable && !name ? 'clickable' : (role || 'text');
      if (!name && el.className && typeof el.className === 'string') parts.push('class=' + clip(el.className, 40));
      if (!name && el.title) parts.push('title=' + q(el.title));
    }
    if (tag === 'A' && opts.showHref && el.getAttribute('href')) parts.push('href=' + q(el.getAttribute('href')));
    return [role, name, parts];
  }

  function walk(el, depth) {
    if (skip.has(el.id)) return;
    const st = window.getComputedStyle(el);
    if (st.display === 'none' || st.visibility === 'hidden' || el.getAttribute('aria-hidden') === 'true') return;
    if (el.tagName === 'SCRIPT' || el.tagName === 'STYLE' || el.tagName === 'OPTION') return;
    const rect = el.getBoundingClientRect();
    const sized = rect.width > 0 && rect.height > 0;
    const d = sized ? describe(el, st) : null;
    let childDepth = depth;
    if (d) {
      const [role, name, parts] = d;
      if (el === document.activeElement && el !== document.body) parts.push('focused');
      if (el.disabled) parts.push('disabled');
      lines.push('  '.repeat(depth) + '[' + idOf(el) + '] ' + role + (name ? ' ' + q(name) : '') +
                 (parts.length ? ' ' + parts.join(' ') : ''));
      childDepth = depth + 1;
      if (['A', 'BUTTON', 'LABEL', 'SELECT', 'TEXTAREA'].includes(el.tagName) || /^H\d$/.test(el.tagName)) {
        return;  // their text is already in the name
      }
    }
    for (const child of el.children) walk(child, childDepth);
  }
  if (root) walk(root, 0);
  return lines;
}
