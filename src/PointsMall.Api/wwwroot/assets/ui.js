// Tiny DOM helpers shared by the mall and the console: element builder, formatting, toasts, dialogs.

/** h('div.card#x', {onclick}, child, [children]) → element. Strings become text nodes (never HTML). */
export function h(spec, attrs, ...children) {
  const [, tag = 'div', rest = ''] = /^([a-z0-9-]*)(.*)$/i.exec(spec);
  const el = document.createElement(tag || 'div');
  for (const part of rest.match(/[.#][^.#]+/g) || []) {
    if (part[0] === '.') el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  // Anything but a plain object is a child, 0 and '' included (a falsy check would drop a count of 0).
  if (attrs !== undefined && attrs !== null && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = [el.className, v].filter(Boolean).join(' ');
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the content of el. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const fmt = {
  points: (n) => `${Number(n ?? 0).toLocaleString('zh-CN')}`,
  yuan: (fen) => `¥${(Number(fen ?? 0) / 100).toFixed(2)}`,
  date: (s) => (s ? new Date(s).toLocaleDateString('zh-CN') : '—'),
  time: (s) => (s ? new Date(s).toLocaleString('zh-CN', { hour12: false }) : '—'),
  /** 2d 03:04:05 until target. */
  countdown(ms) {
    if (ms <= 0) return '00:00:00';
    const s = Math.floor(ms / 1000);
    const d = Math.floor(s / 86400);
    const hh = String(Math.floor((s % 86400) / 3600)).padStart(2, '0');
    const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
    const ss = String(s % 60).padStart(2, '0');
    return `${d ? `${d}天 ` : ''}${hh}:${mm}:${ss}`;
  },
};

/** Order statuses in both languages. */
export const STATUS_TEXT = {
  PendingPayment: '待支付 Pending payment',
  PendingShipment: '待发货 Pending shipment',
  Shipped: '已发货 Shipped',
  Completed: '已完成 Completed',
  Cancelled: '已取消 Cancelled',
  Placed: '处理中 Processing',
  Failed: '失败 Failed',
};

export const CATEGORY_TEXT = {
  Physical: '实物 Physical',
  Virtual: '虚拟 Virtual',
  Service: '服务 Service',
};

export function statusBadge(status) {
  return h(`span.badge.status-${String(status).toLowerCase()}`, { 'data-status': status }, STATUS_TEXT[status] || status);
}

let toastHost;
/** A short message at the bottom of the screen; kind: ok | error | info. */
export function toast(message, kind = 'info') {
  toastHost ??= document.body.appendChild(h('div.toasts', { role: 'status', 'aria-live': 'polite' }));
  const t = h(`div.toast.${kind}`, message);
  toastHost.append(t);
  setTimeout(() => t.classList.add('leaving'), 3500);
  setTimeout(() => t.remove(), 4000);
}

/** A modal dialog built from content; resolves with the submitted FormData or null when dismissed. */
export function dialog(title, content, { submitLabel = '确定 OK', cancelLabel = '取消 Cancel' } = {}) {
  return new Promise((resolve) => {
    const form = h('form.dialog-body', { method: 'dialog' },
      h('h2', title), content,
      h('div.actions',
        h('button.btn.ghost', { type: 'button', value: 'cancel', onclick: () => { d.close(); } }, cancelLabel),
        h('button.btn.primary', { type: 'submit', value: 'ok' }, submitLabel)));
    const d = h('dialog.modal', form);
    let result = null;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!form.reportValidity()) return;
      result = new FormData(form);
      d.close();
    });
    d.addEventListener('close', () => { d.remove(); resolve(result); });
    document.body.append(d);
    d.showModal();
  });
}

/** A labelled form field. */
export function field(label, input, hint) {
  return h('label.field', h('span.label', label), input, hint ? h('small.hint', hint) : null);
}

export function empty(text) {
  return h('div.empty', text);
}

export function spinner() {
  return h('div.loading', { 'aria-busy': 'true' }, '加载中… Loading…');
}

/** Reads a value out of an object under the first name that exists (the API's names may differ slightly). */
export function pick(obj, ...names) {
  for (const n of names) {
    const v = n.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

/** How the programme's expiry and task kinds read, for the mall's rules page and the console's editor. */
export const EXPIRY_TEXT = { Never: '永不过期 Never', RollingDays: '获得后 N 天 N days after earning', RollingMonths: '获得后 N 个月 N months after earning',
  EndOfMonth: 'N 个月后的月底 Month end, N months on', EndOfQuarter: 'N 个季度后的季末 Quarter end, N quarters on', EndOfYear: 'N 年后的年底 Year end, N years on' };
export const TASK_TEXT = { SimpleSurvey: '简单问卷 Simple survey', DetailedSurvey: '详细问卷 Detailed survey', Share: '分享 Share', InviteMember: '邀请会员 Invite',
  Quiz: '答题 Quiz', LotteryParticipation: '参与抽奖 Lottery' };
