// 管理后台 Admin console: products and stock, low-stock alerts, orders and shipping, members and points, rules,
// campaigns, lotteries, operators. The operator's token lives in sessionStorage (per tab); a 401 goes to the login form.
// What the operator's role may not do is hidden: every element with data-permission names the permission it needs
// (the server refuses the call all the same; hiding only spares the operator a dead button).
import { ApiError, PROBLEM_TEXT, createClient, itemsOf, newIdempotencyKey, tokenStore } from './api.js';
import { CATEGORY_TEXT, EXPIRY_TEXT, STATUS_TEXT, TASK_TEXT, dialog, empty, field, fmt, h, mount, pick, spinner, statusBadge, toast } from './ui.js';

const store = tokenStore('pointsmall.admin', sessionStorage);
const api = createClient(store, () => go('/admin/login', { replace: true }));
const view = document.getElementById('view');
const title = document.getElementById('title');

const TIERS = ['Regular', 'Silver', 'Gold', 'Diamond'];
// The logistics provider's carriers (their codes are what it tracks), read once; any other carrier can be typed in.
let carriers;
const carrierList = async () => (carriers ??= await api.get('/admin/carriers').catch(() => []));

const ROLE_TEXT = {
  'super-admin': '超级管理员 Super admin',
  merchandiser: '商品运营 Merchandiser',
  fulfilment: '仓储发货 Fulfilment',
  'customer-service': '客服 Customer service',
  analyst: '数据分析 Analyst',
};

/** The signed-in operator (GET /admin/me): its role and permissions; read once per sign-in. */
let me = null;
const can = (permission) => Boolean(me?.permissions?.includes(permission));

function applyPermissions(root) {
  for (const el of root.querySelectorAll('[data-permission]')) {
    const allowed = can(el.dataset.permission);
    if (el.hidden === allowed) el.hidden = !allowed;
  }
}
new MutationObserver(() => applyPermissions(document.body)).observe(document.body, { childList: true, subtree: true });

function setTitle(zh, en) { mount(title, zh, h('span.en', en)); }

function problemBox(error, testid = 'problem') {
  return h('div.alert', { role: 'alert', 'data-testid': testid, 'data-code': error instanceof ApiError ? error.code : 'error' },
    error instanceof ApiError ? error.friendly : String(error?.message ?? error));
}

async function attempt(what, fn, okText) {
  try {
    const r = await fn();
    if (okText) toast(okText, 'ok');
    return r ?? true;
  } catch (e) {
    toast(`${what}: ${e instanceof ApiError ? e.friendly : e}`, 'error');
    return null;
  }
}

function table(headers, rows, attrs = {}) {
  return h('div.table-wrap', h('table', attrs,
    h('thead', h('tr', headers.map((x) => (typeof x === 'string' ? h('th', x) : x)))),
    h('tbody', rows)));
}

/** datetime-local value ↔ ISO string with offset. */
const toLocalInput = (iso) => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
};
const fromLocalInput = (v) => (v ? new Date(v).toISOString() : null);
const num = (v) => (v === null || v === undefined || v === '' ? null : Number(v));

// ---------- product fields ----------
const P = {
  id: (p) => pick(p, 'id', 'productId'),
  points: (p) => Number(pick(p, 'pointsPrice', 'price.points') ?? 0),
  cashFen: (p) => {
    const fen = pick(p, 'cashPriceFen', 'cashFen', 'price.cashFen');
    if (fen !== undefined) return Number(fen);
    const yuan = pick(p, 'cashPrice');
    return yuan === undefined ? 0 : Math.round(Number(yuan) * 100);
  },
  total: (p) => pick(p, 'stock.total', 'total'),
  available: (p) => pick(p, 'stock.available', 'available'),
  reserved: (p) => pick(p, 'stock.reserved', 'reserved'),
  sold: (p) => pick(p, 'stock.sold', 'sold', 'stock.committed', 'committed'),
  threshold: (p) => pick(p, 'lowStockThreshold', 'stock.lowStockThreshold'),
  onShelf: (p) => Boolean(pick(p, 'onShelf')),
};

/**
 * The product's pictures: one URL per line (the first is the cover), filled in by uploading files too; thumbnails
 * show what the shop will show.
 */
function imagesField(initial) {
  const text = h('textarea', { name: 'images', rows: 2, placeholder: '每行一个图片地址 One URL per line', 'data-testid': 'product-images' }, initial.join('\n'));
  const previews = h('div.thumbs', { 'data-testid': 'product-image-previews' });
  const urls = () => text.value.split('\n').map((u) => u.trim()).filter(Boolean);
  const show = () => mount(previews, urls().map((u) => h('img', { src: u, alt: '' })));
  text.addEventListener('input', show);
  const file = h('input', { type: 'file', accept: 'image/png,image/jpeg,image/webp,image/gif', multiple: true, 'aria-label': '上传图片 Upload pictures', 'data-testid': 'product-image-upload' });
  file.addEventListener('change', async () => {
    for (const f of file.files) {
      const uploaded = await attempt(`上传 Upload ${f.name}`, () => api.upload('/admin/images', f), '图片已上传 Picture uploaded');
      if (uploaded?.url) text.value = [...urls(), uploaded.url].join('\n');
    }
    file.value = '';
    show();
  });
  show();
  return field('图片 Pictures', h('div.stack', text, file, previews), '上传或粘贴地址，第一张为封面 Upload files or paste URLs; the first is the cover');
}

function productForm(p = {}, { creating, sections = [] }) {
  return h('div.form-grid.two',
    field('名称 Name', h('input', { name: 'name', required: true, maxlength: 200, value: p.name ?? '', 'data-testid': 'product-name' })),
    field('品牌 Brand', h('input', { name: 'brand', maxlength: 100, value: p.brand ?? '', 'data-testid': 'product-brand' })),
    field('规格 Spec', h('input', { name: 'spec', maxlength: 100, value: p.spec ?? '', placeholder: '500ml / 标准版', 'data-testid': 'product-spec' })),
    field('型号 Model', h('input', { name: 'model', maxlength: 100, value: p.model ?? '', 'data-testid': 'product-model' })),
    field('颜色 Colour', h('input', { name: 'colour', maxlength: 100, value: p.colour ?? '', 'data-testid': 'product-colour' })),
    field('分类 Section', h('select', { name: 'sectionId', 'data-testid': 'product-section' }, h('option', { value: '' }, '未分类 None'),
      sections.map((s) => h('option', { value: s.id, selected: s.id === p.sectionId }, s.name)))),
    field('类别 Category', h('select', { name: 'category', 'data-testid': 'product-category' },
      Object.entries(CATEGORY_TEXT).map(([v, l]) => h('option', { value: v, selected: v === (p.category ?? 'Physical') }, l)))),
    field('所需等级 Required tier', h('select', { name: 'requiredTier' }, h('option', { value: '' }, '不限 Any'),
      TIERS.map((t) => h('option', { value: t, selected: t === p.requiredTier }, t)))),
    field('积分价 Points price', h('input', { name: 'pointsPrice', type: 'number', min: 0, required: true, value: P.points(p) || '', 'data-testid': 'product-points' })),
    field('现金 Cash (¥)', h('input', { name: 'cash', type: 'number', min: 0, step: '0.01', value: P.cashFen(p) ? (P.cashFen(p) / 100).toFixed(2) : '' }), '积分+现金时填写 For points + cash'),
    creating ? field('库存 Stock', h('input', { name: 'stock', type: 'number', min: 0, required: true, value: '100', 'data-testid': 'product-stock' })) : null,
    creating ? h('label.checkbox', h('input', { type: 'checkbox', name: 'codePool', 'data-testid': 'product-code-pool' }),
      '兑换码来自上传的码池（库存为 0，上传兑换码后增加）Codes from an uploaded pool (stock 0; uploads add it)') : null,
    field('每人限兑 Per-member limit', h('input', { name: 'perMemberLimit', type: 'number', min: 1, value: p.perMemberLimit ?? '' })),
    field('预警阈值 Low-stock threshold', h('input', { name: 'lowStockThreshold', type: 'number', min: 0, value: P.threshold(p) ?? '' })),
    field('展示优先级 Display priority', h('input', { name: 'priority', type: 'number', min: 0, max: 9999, value: p.priority ?? 0, 'data-testid': 'product-priority' }), '越大越靠前 Higher shows first'),
    h('label.checkbox', h('input', { type: 'checkbox', name: 'featured', checked: Boolean(p.featured), 'data-testid': 'product-featured' }), '首页精选 Featured on the home page'),
    imagesField(p.images ?? (p.image ? [p.image] : [])),
    field('开始 Starts at', h('input', { name: 'startsAt', type: 'datetime-local', value: toLocalInput(pick(p, 'startsAt', 'onShelfFrom')) })),
    field('结束 Ends at', h('input', { name: 'endsAt', type: 'datetime-local', value: toLocalInput(pick(p, 'endsAt', 'onShelfUntil')) })),
    h('label.checkbox', h('input', { type: 'checkbox', name: 'isFlashSale', checked: Boolean(p.isFlashSale) }), '限时抢兑 Flash drop (开始时间即开抢 starts at "Starts at")'),
    field('折扣积分价 Discount points price', h('input', { name: 'discountPointsPrice', type: 'number', min: 0, value: p.discount?.pointsPrice ?? '', 'data-testid': 'discount-points' }), '限时折扣，可不填 Limited-time price, optional'),
    field('折扣现金 Discount cash (¥)', h('input', { name: 'discountCash', type: 'number', min: 0, step: '0.01', value: p.discount?.cashPrice || '' })),
    field('折扣开始 Discount starts', h('input', { name: 'discountStartsAt', type: 'datetime-local', value: toLocalInput(p.discount?.startsAt), 'data-testid': 'discount-starts' })),
    field('折扣结束 Discount ends', h('input', { name: 'discountEndsAt', type: 'datetime-local', value: toLocalInput(p.discount?.endsAt), 'data-testid': 'discount-ends' })),
    field('描述 Description', h('textarea', { name: 'description', rows: 3, maxlength: 4000 }, p.description ?? '')));
}

function productBody(data, { creating }) {
  const cash = Number(data.get('cash') || 0);
  const images = String(data.get('images') || '').split('\n').map((u) => u.trim()).filter(Boolean);
  const text = (name) => String(data.get(name) || '').trim() || undefined;
  const body = {
    name: String(data.get('name')).trim(),
    brand: text('brand'),
    spec: text('spec'),
    model: text('model'),
    colour: text('colour'),
    sectionId: data.get('sectionId') || undefined,
    featured: data.get('featured') === 'on',
    priority: num(data.get('priority')) ?? 0,
    category: data.get('category'),
    pointsPrice: Number(data.get('pointsPrice')),
    cashPrice: cash || undefined,
    cashFen: cash ? Math.round(cash * 100) : undefined,
    perMemberLimit: num(data.get('perMemberLimit')) ?? undefined,
    lowStockThreshold: num(data.get('lowStockThreshold')) ?? undefined,
    requiredTier: data.get('requiredTier') || undefined,
    startsAt: fromLocalInput(data.get('startsAt')) ?? undefined,
    endsAt: fromLocalInput(data.get('endsAt')) ?? undefined,
    isFlashSale: data.get('isFlashSale') === 'on',
    discountPointsPrice: num(data.get('discountPointsPrice')) ?? undefined,
    discountCashPrice: num(data.get('discountCash')) || undefined,
    discountStartsAt: fromLocalInput(data.get('discountStartsAt')) ?? undefined,
    discountEndsAt: fromLocalInput(data.get('discountEndsAt')) ?? undefined,
    images,
    description: String(data.get('description') || '').trim() || undefined,
  };
  if (creating) {
    body.codePool = data.get('codePool') === 'on';
    body.stock = body.codePool ? 0 : Number(data.get('stock'));
  }
  return body;
}

// ---------- sections ----------
async function dashboard() {
  setTitle('概览', 'Overview');
  const stats = h('div.stats', spinner());
  mount(view, stats, h('div.row',
    h('a.btn.primary', { href: '/admin/products', 'data-link': true, 'data-permission': 'catalog-write' }, '+ 新建商品 New product'),
    h('a.btn', { href: '/admin/orders?status=PendingShipment', 'data-link': true }, '待发货订单 Orders to ship'),
    h('a.btn', { href: '/admin/alerts', 'data-link': true }, '库存预警 Low stock'),
    h('a.btn', { href: '/admin/analytics', 'data-link': true }, '数据分析 Analytics')));
  const safe = (p) => p.catch(() => null);
  const [products, alerts, toShip, members] = await Promise.all([
    safe(api.get('/admin/products', { pageSize: 1 })), safe(api.get('/admin/alerts/low-stock')),
    safe(api.get('/admin/orders', { status: 'PendingShipment', pageSize: 1 })), safe(api.get('/admin/members', { pageSize: 1 })),
  ]);
  const count = (x) => (x == null ? '—' : fmt.points(x.total ?? itemsOf(x).length));
  mount(stats,
    h('div.card.stat', h('div.muted', '商品 Products'), h('div.value', count(products))),
    h('div.card.stat', h('div.muted', '库存预警 Low-stock alerts'), h('div.value.low', count(alerts))),
    h('div.card.stat', h('div.muted', '待发货 To ship'), h('div.value', count(toShip))),
    h('div.card.stat', h('div.muted', '会员 Members'), h('div.value', count(members))));
}

// ---------- analytics ----------
const SOURCE_TEXT = { purchase: '消费 Purchases', signin: '签到 Sign-in', adjust: '调整 Adjustments', lottery: '抽奖 Lottery', task: '任务 Tasks',
  refund: '退款 Refunds', redemption: '兑换 Redemptions', activity: '活动 Activities' };
const localDay = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
const pct = (x) => (x == null ? '—' : `${(x * 100).toFixed(1)}%`);
let charts = [];

/** A chart on a fresh canvas (the previous page's charts are destroyed first, by the section). */
function chart(config) {
  const canvas = h('canvas', { height: 220 });
  if (globalThis.Chart) charts.push(new globalThis.Chart(canvas, { ...config, options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options } }));
  return h('div.chart', canvas);
}

function countsTable(title, counts, label = (k) => k, testid) {
  const rows = Object.entries(counts ?? {}).sort((a, b) => b[1] - a[1]);
  return h('section.card', { 'data-testid': testid }, h('h3', title), rows.length
    ? table(['', h('th.num', '数量 Count')], rows.map(([k, v]) => h('tr', h('td', label(k)), h('td.num', fmt.points(v)))))
    : empty('暂无 None yet'));
}

/** What the mall owes in points (as of now, whatever the range) and the range's breakage rate. */
function liabilityCard(l) {
  const stat = (label, value, testid) => h('div.stat', { 'data-testid': testid }, h('div.muted', label), h('div.value', value));
  return h('section.card', { 'data-testid': 'analytics-liability' }, h('h3', `积分负债 Points liability · ${fmt.time(l.asOf)}`),
    h('div.stats',
      stat('未使用积分 Outstanding', fmt.points(l.outstanding), 'liability-outstanding'),
      stat('30 天内过期 Expiring ≤ 30 d', fmt.points(l.expiringWithin30Days), 'liability-30'),
      stat('60 天内过期 ≤ 60 d', fmt.points(l.expiringWithin60Days), 'liability-60'),
      stat('90 天内过期 ≤ 90 d', fmt.points(l.expiringWithin90Days), 'liability-90'),
      stat('永不过期 Never expiring', fmt.points(l.neverExpiring), 'liability-never'),
      stat('沉淀率 Breakage (range)', pct(l.breakageRate), 'liability-breakage')),
    l.awaitingExpiry > 0 ? h('p.muted', `另有 ${fmt.points(l.awaitingExpiry)} 积分已到期、待记入账本 (past expiry, not yet recorded in the ledgers).`) : null);
}

function cohortsTable(cohorts) {
  const cell = (r) => h('td.num', r == null ? '—' : `${fmt.points(r.members)} · ${pct(r.rate)}`);
  const rows = cohorts.filter((c) => c.newMembers > 0);
  return h('section.card', { 'data-testid': 'analytics-cohorts' }, h('h3', '留存 Retention by the day members joined'), rows.length
    ? table(['加入日期 Joined', h('th.num', '新会员 New'), h('th.num', '次日 D1'), h('th.num', '7 日 D7'), h('th.num', '30 日 D30')],
      rows.map((c) => h('tr', { 'data-testid': 'analytics-cohort', 'data-day': c.day }, h('td', c.day), h('td.num', fmt.points(c.newMembers)), cell(c.d1), cell(c.d7), cell(c.d30))))
    : empty('暂无新会员 No one joined in this range'));
}

function dropsTable(drops) {
  const reasons = (r) => Object.entries(r).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${PROBLEM_TEXT[k] ?? k} ${fmt.points(v)}`).join('，') || '—';
  return h('section.card', { 'data-testid': 'analytics-drops' }, h('h3', '秒杀报告 Flash-drop report'), drops.length
    ? table(['日期 Day', '商品 Product', h('th.num', '尝试 Attempts'), h('th.num', '成功 Granted'), '拒绝 Refusals', h('th.num', '售罄用时 Sold out in'), '按到达顺序 In arrival order'],
      drops.map((d) => h('tr', { 'data-testid': 'analytics-drop', 'data-product-id': d.productId },
        h('td', d.day), h('td', d.name), h('td.num', fmt.points(d.attempts)), h('td.num', fmt.points(d.granted)), h('td', reasons(d.refusals)),
        h('td.num', d.secondsToSellOut == null ? '—' : `${d.secondsToSellOut.toFixed(1)} s`),
        h('td', d.inArrivalOrder ? '是 Yes' : `否 No (${fmt.points(d.grantedOutOfOrder)})`))))
    : empty('暂无兑换 No redemptions in this range'));
}

async function analyticsSection(_p, query) {
  setTitle('数据分析', 'Analytics');
  for (const c of charts) c.destroy();
  charts = [];
  const today = new Date();
  const to = query.get('to') ?? localDay(today);
  const from = query.get('from') ?? localDay(new Date(today.getTime() - 6 * 86400000));
  const fromInput = h('input', { type: 'date', value: from, 'aria-label': '开始 From', 'data-testid': 'analytics-from' });
  const toInput = h('input', { type: 'date', value: to, 'aria-label': '结束 To', 'data-testid': 'analytics-to' });
  const body = h('div.stack', spinner());
  const exportCsv = async () => {
    // The export needs the bearer token, so it is fetched and handed to the browser as a file.
    const file = await attempt('导出 Export', () => api.download('/admin/analytics/export', { from, to }));
    if (!file) return;
    const link = h('a', { href: URL.createObjectURL(file), download: `pointsmall-analytics-${from}-${to}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
  };
  mount(view, h('div.toolbar',
    h('form.row', { onsubmit: (e) => { e.preventDefault(); go(`/admin/analytics?from=${fromInput.value}&to=${toInput.value}`); } },
      fromInput, h('span', '—'), toInput, h('button.btn', { type: 'submit' }, '查看 Show')),
    h('button.btn', { type: 'button', 'data-testid': 'analytics-export', onclick: exportCsv }, '导出 CSV Export')), body);
  let r;
  try { r = await api.get('/admin/analytics', { from, to }); } catch (e) { mount(body, problemBox(e)); return; }
  const t = r.totals;
  const card = (label, value, testid) => h('div.card.stat', { 'data-testid': testid }, h('div.muted', label), h('div.value', value));
  const labels = r.days.map((d) => d.day.slice(5));
  mount(body,
    h('div.stats',
      card('兑换 Redemptions', fmt.points(t.redemptions), 'kpi-redemptions'),
      card('兑换积分 Points redeemed', fmt.points(t.pointsRedeemed), 'kpi-points-redeemed'),
      card('现金 Cash', fmt.yuan(Math.round(t.cash * 100)), 'kpi-cash'),
      card('浏览 Product views', fmt.points(t.productViews), 'kpi-views'),
      card('转化率 Conversion', pct(r.conversion), 'kpi-conversion'),
      card('客单价 Avg. order', r.averageOrderPoints == null ? '—' : `${fmt.points(Math.round(r.averageOrderPoints))} 积分`, 'kpi-aov'),
      card('登录 Sign-ins', fmt.points(t.logins), 'kpi-logins'),
      card('活跃会员 Active (peak day)', fmt.points(t.activeMembers), 'kpi-active'),
      card('积分发放 Earned', fmt.points(t.pointsEarned), 'kpi-earned'),
      card('积分消耗 Spent', fmt.points(t.pointsSpent), 'kpi-spent'),
      card('积分过期 Expired', fmt.points(t.pointsExpired), 'kpi-expired'),
      card('无结果搜索 Searches, no result', `${fmt.points(t.searchesWithoutResults)} / ${fmt.points(t.searches)}`, 'kpi-searches'),
      card('新会员 New members', fmt.points(t.newMembers), 'kpi-new-members')),
    liabilityCard(r.liability),
    h('div.chart-grid',
      h('section.card', h('h3', '兑换与浏览 Redemptions and views'), chart({ type: 'line', data: { labels, datasets: [
        { label: '兑换 Redemptions', data: r.days.map((d) => d.redemptions), borderColor: '#e4393c', backgroundColor: '#e4393c', yAxisID: 'y' },
        { label: '浏览 Views', data: r.days.map((d) => d.productViews), borderColor: '#2563eb', backgroundColor: '#2563eb', yAxisID: 'y1' }] },
      options: { scales: { y: { beginAtZero: true, position: 'left' }, y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false } } } } })),
      h('section.card', h('h3', '积分发放与消耗 Points earned and spent'), chart({ type: 'bar', data: { labels, datasets: [
        { label: '发放 Earned', data: r.days.map((d) => d.pointsEarned), backgroundColor: '#1f9d55' },
        { label: '消耗 Spent', data: r.days.map((d) => d.pointsSpent), backgroundColor: '#f5a623' },
        { label: '过期 Expired', data: r.days.map((d) => d.pointsExpired), backgroundColor: '#8f959e' }] } })),
      h('section.card', h('h3', '积分来源 Earned by source'), chart({ type: 'doughnut', data: {
        labels: Object.keys(r.earnedBySource).map((k) => SOURCE_TEXT[k] ?? k),
        datasets: [{ data: Object.values(r.earnedBySource), backgroundColor: ['#e4393c', '#f5a623', '#1f9d55', '#2563eb', '#8250df', '#8f959e'] }] } }))),
    h('section.card', { 'data-testid': 'analytics-products' }, h('h3', '商品 Products'), r.products.length
      ? table(['商品 Product', '类别 Category', h('th.num', '浏览 Views'), h('th.num', '兑换 Redemptions'), h('th.num', '件数 Units'), h('th.num', '积分 Points'), h('th.num', '转化 Conversion')],
        r.products.map((p) => h('tr', { 'data-testid': 'analytics-product', 'data-product-id': p.productId },
          h('td', p.name || p.productId), h('td', CATEGORY_TEXT[p.category] ?? p.category), h('td.num', fmt.points(p.views)), h('td.num', fmt.points(p.redemptions)),
          h('td.num', fmt.points(p.units)), h('td.num', fmt.points(p.points)), h('td.num', pct(p.conversion)))))
      : empty('暂无 None yet')),
    h('div.chart-grid',
      countsTable('热门搜索 Top searches', Object.fromEntries(r.topSearches.map((k) => [k.keyword, k.count])), undefined, 'analytics-searches'),
      countsTable('无结果搜索 Searches without results', Object.fromEntries(r.topSearchesWithoutResults.map((k) => [k.keyword, k.count])), undefined, 'analytics-missed'),
      countsTable('取消原因 Cancellations', r.cancellationsByReason, undefined, 'analytics-cancellations'),
      countsTable('积分消耗 Spent by source', r.spentBySource, (k) => SOURCE_TEXT[k] ?? k, 'analytics-spent')),
    cohortsTable(r.cohorts),
    dropsTable(r.drops),
    h('p.muted', `时区 Time zone ${r.timeZone}。订单与积分来自事件流（精确）；登录、浏览、搜索由各 API 节点每 2 秒汇报。Orders and points come from the event outbox (exact); sign-ins, views and searches are reported by each API node every 2 s.`));
}

async function productsSection(_p, query) {
  setTitle('商品与库存', 'Products & stock');
  const q = query.get('q') ?? '';
  const section = query.get('section') ?? '';
  const list = h('div', spinner());
  const load = async () => {
    try {
      const [page, sectionList] = await Promise.all([api.get('/admin/products', { q, section, pageSize: 100 }), api.get('/sections').catch(() => [])]);
      const sectionName = Object.fromEntries(sectionList.map((s) => [s.id, s.name]));
      const items = itemsOf(page);
      mount(list, items.length ? table(
        ['名称 Name', '类别 Category', h('th.num', '积分 Points'), h('th.num', '现金 Cash'), h('th.num', '可用 Available'), h('th.num', '总量 Total'), h('th.num', '已售 Sold'), '上架 Shelf', '操作 Actions'],
        items.map((p) => {
          const available = P.available(p);
          const threshold = P.threshold(p);
          const cls = available !== undefined && Number(available) <= 0 ? '.out' : threshold !== undefined && Number(available) <= Number(threshold) ? '.low' : '';
          return h('tr', { 'data-testid': 'product-row', 'data-product-id': P.id(p) },
            h('td', h('strong', p.name), p.featured ? h('span.badge.gold', { 'data-testid': 'featured-badge' }, ' 精选 Featured') : null,
              h('div.muted', h('small', [P.id(p), p.sectionId ? ` · ${sectionName[p.sectionId] ?? p.sectionId}` : '', p.priority ? ` · 优先级 ${p.priority}` : '']))),
            h('td', CATEGORY_TEXT[p.category] ?? p.category ?? ''),
            h('td.num', fmt.points(P.points(p))),
            h('td.num', P.cashFen(p) ? fmt.yuan(P.cashFen(p)) : '—'),
            h(`td.num${cls}`, available ?? '—'),
            h('td.num', P.total(p) ?? '—'),
            h('td.num', P.sold(p) ?? '—'),
            h('td', P.onShelf(p) ? h('span.badge.status-shipped', '在售 On') : h('span.badge', '下架 Off')),
            h('td', h('div.row',
              h('button.btn.small', { type: 'button', 'data-permission': 'catalog-write', onclick: () => editProduct(P.id(p), load) }, '编辑 Edit'),
              p.codePool
                ? h('button.btn.small', { type: 'button', 'data-testid': 'upload-codes', 'data-permission': 'stock-write', onclick: () => uploadCodes(p, load) }, '上传兑换码 Upload codes')
                : h('button.btn.small', { type: 'button', 'data-testid': 'restock', 'data-permission': 'stock-write', onclick: () => restock(p, load) }, '补货 Restock'),
              h('button.btn.small', { type: 'button', 'data-testid': 'set-stock', 'data-permission': 'stock-write', onclick: () => setStock(p, load) }, '盘点 Set stock'),
              h('a.btn.small', { href: `/admin/audit?q=${encodeURIComponent(P.id(p))}`, 'data-link': true, 'data-permission': 'audit-read' }, '变更记录 History'),
              h('button.btn.small', { type: 'button', 'data-testid': 'shelf', 'data-permission': 'catalog-write', onclick: async () => {
                if (await attempt('上下架 Shelf', () => api.post(`/admin/products/${P.id(p)}/shelf`, { onShelf: !P.onShelf(p) }), P.onShelf(p) ? '已下架 Off shelf' : '已上架 On shelf')) load();
              } }, P.onShelf(p) ? '下架 Shelf off' : '上架 Shelf on'))));
        }), { 'data-testid': 'products-table' }) : empty('还没有商品 No products yet'));
    } catch (e) {
      mount(list, problemBox(e));
    }
  };
  const search = h('input', { type: 'search', placeholder: '搜索 Search', value: q, 'aria-label': '搜索 Search' });
  mount(view,
    h('div.toolbar',
      h('button.btn.primary', { type: 'button', 'data-testid': 'new-product', 'data-permission': 'catalog-write', onclick: () => createProduct(load) }, '+ 新建商品 New product'),
      h('form', { onsubmit: (e) => { e.preventDefault(); go(`/admin/products${search.value ? `?q=${encodeURIComponent(search.value)}` : ''}`); } }, search)),
    list);
  await load();
}

/** The catalogue's sections (分类): the shop's home page browses by them; products are shelved in one. */
async function sectionsSection() {
  setTitle('商品分类', 'Sections');
  const list = h('div', spinner());
  const save = async (id, name, order) => {
    const body = { name, order: Number(order) || 0 };
    const done = await attempt('保存 Save', () => (id ? api.put(`/admin/sections/${encodeURIComponent(id)}`, body) : api.post('/admin/sections', body)), '已保存 Saved');
    if (done) load();
  };
  const edit = async (s) => {
    const data = await dialog(s ? `编辑分类 Edit · ${s.name}` : '新建分类 New section', h('div.form-grid.two',
      field('名称 Name', h('input', { name: 'name', required: true, maxlength: 30, value: s?.name ?? '', 'data-testid': 'section-name' })),
      field('顺序 Order', h('input', { name: 'order', type: 'number', min: 0, max: 999, value: s?.order ?? 0, 'data-testid': 'section-order' }), '越小越靠前 Lower shows first')),
    { submitLabel: '保存 Save' });
    if (data) await save(s?.id, String(data.get('name')).trim(), data.get('order'));
  };
  async function load() {
    try {
      const items = await api.get('/sections');
      mount(list, items.length ? table(['名称 Name', h('th.num', '顺序 Order'), 'ID', '操作 Actions'], items.map((s) =>
        h('tr', { 'data-testid': 'section-row', 'data-section-id': s.id },
          h('td', h('strong', s.name)), h('td.num', s.order), h('td.muted', h('small', s.id)),
          h('td', h('div.row',
            h('a.btn.small', { href: `/admin/products?section=${encodeURIComponent(s.id)}`, 'data-link': true }, '商品 Products'),
            h('button.btn.small', { type: 'button', 'data-permission': 'catalog-write', onclick: () => edit(s) }, '编辑 Edit'),
            h('button.btn.small.danger', { type: 'button', 'data-testid': 'delete-section', 'data-permission': 'catalog-write', onclick: async () => {
              if (confirm(`删除分类「${s.name}」？商品保留，变为未分类。Delete "${s.name}"? Its products stay, in no section.`)
                && await attempt('删除 Delete', () => api.del(`/admin/sections/${encodeURIComponent(s.id)}`), '已删除 Deleted')) load();
            } }, '删除 Delete'))))), { 'data-testid': 'sections-table' }) : empty('还没有分类 No sections yet'));
    } catch (e) {
      mount(list, problemBox(e));
    }
  }
  mount(view, h('div.toolbar', h('button.btn.primary', { type: 'button', 'data-testid': 'new-section', 'data-permission': 'catalog-write', onclick: () => edit(null) }, '+ 新建分类 New section')), list);
  await load();
}

async function createProduct(reload) {
  const sections = await api.get('/sections').catch(() => []);
  const data = await dialog('新建商品 New product', productForm({}, { creating: true, sections }), { submitLabel: '创建 Create' });
  if (!data) return;
  const created = await attempt('创建 Create', () => api.post('/admin/products', productBody(data, { creating: true })), '商品已创建 Product created');
  if (created) reload();
}

async function editProduct(id, reload) {
  let p;
  let sections;
  try {
    [p, sections] = await Promise.all([api.get(`/admin/products/${encodeURIComponent(id)}`), api.get('/sections')]);
  } catch (e) { toast(e.friendly ?? String(e), 'error'); return; }
  const data = await dialog(`编辑 Edit · ${p.name}`, productForm(p, { creating: false, sections }), { submitLabel: '保存 Save' });
  if (!data) return;
  if (await attempt('保存 Save', () => api.put(`/admin/products/${encodeURIComponent(id)}`, productBody(data, { creating: false })), '已保存 Saved')) reload();
}

async function setStock(p, reload) {
  const held = Number(P.reserved(p) ?? 0) + Number(P.sold(p) ?? 0);
  const data = await dialog(`盘点 Set stock · ${p.name}`, h('div.form-grid',
    field('总库存 Total', h('input', { name: 'total', type: 'number', min: held, required: true, value: P.total(p) ?? 0, 'data-testid': 'stock-total' }),
      `不少于已售和已预留 At least what orders hold or have taken: ${held}`),
    field('原因 Reason', h('input', { name: 'reason', required: true, maxlength: 200, placeholder: '盘点 / 报损 Count or write-off', 'data-testid': 'stock-reason' }))), { submitLabel: '保存 Save' });
  if (!data) return;
  if (await attempt('盘点 Set stock', () => api.post(`/admin/products/${P.id(p)}/stock`, { total: Number(data.get('total')), reason: data.get('reason') }, { 'Idempotency-Key': newIdempotencyKey('stock') }), '库存已更新 Stock set')) reload();
}

/** Codes for a code-pool product, one per line; those already in its pool are skipped, and the stock grows by the rest. */
async function uploadCodes(p, reload) {
  let status = null;
  try { status = await api.get(`/admin/products/${encodeURIComponent(P.id(p))}/codes`); } catch { /* shown as unknown */ }
  const data = await dialog(`上传兑换码 Upload codes · ${P.name(p)}`, h('div.stack',
    status ? h('div.muted', { 'data-testid': 'code-pool-status' }, `已上传 ${fmt.points(status.pool.total)} · 已发放 ${fmt.points(status.pool.assigned)} · 剩余 ${fmt.points(status.pool.remaining)} (uploaded · given out · left)`) : null,
    field('兑换码 Codes (one per line, at most 5,000)', h('textarea', { name: 'codes', required: true, rows: 10, 'data-testid': 'codes' }))), { submitLabel: '上传 Upload' });
  if (!data) return;
  const codes = String(data.get('codes') ?? '').split('\n').map((c) => c.trim()).filter(Boolean);
  const result = await attempt('上传 Upload', () => api.post(`/admin/products/${encodeURIComponent(P.id(p))}/codes`, { codes }));
  if (result) {
    toast(`新增 ${result.batch.added} 个，跳过重复 ${result.batch.duplicates} 个 · ${result.batch.added} added, ${result.batch.duplicates} duplicates skipped`, 'ok');
    reload();
  }
}

async function restock(p, reload) {
  const data = await dialog(`补货 Restock · ${p.name}`, field('数量 Quantity', h('input', { name: 'quantity', type: 'number', min: 1, required: true, value: 100, 'data-testid': 'restock-quantity' })), { submitLabel: '补货 Restock' });
  if (!data) return;
  // The key makes a retried click add the stock once.
  if (await attempt('补货 Restock', () => api.post(`/admin/products/${P.id(p)}/restock`, { quantity: Number(data.get('quantity')) }, { 'Idempotency-Key': newIdempotencyKey('restock') }), '已补货 Restocked')) reload();
}

async function alertsSection() {
  setTitle('库存预警', 'Low-stock alerts');
  mount(view, spinner());
  try {
    const items = itemsOf(await api.get('/admin/alerts/low-stock'));
    mount(view, items.length ? table(['商品 Product', h('th.num', '可用 Available'), h('th.num', '阈值 Threshold'), '时间 At', ''],
      items.map((a) => h('tr', { 'data-testid': 'alert-row' },
        h('td', a.productName ?? a.name ?? a.productId), h(`td.num${Number(a.available) <= 0 ? '.out' : '.low'}`, a.available), h('td.num', a.threshold),
        h('td', fmt.time(a.at ?? a.raisedAt)),
        h('td', h('button.btn.small', { type: 'button', 'data-permission': 'stock-write', onclick: () => restock({ id: a.productId, name: a.productName ?? a.productId }, alertsSection) }, '补货 Restock')))))
      : h('div.alert.ok', '库存充足，没有预警 All stock levels are healthy'));
  } catch (e) {
    mount(view, problemBox(e));
  }
}

async function ordersSection(_p, query) {
  setTitle('订单与发货', 'Orders & shipping');
  const status = query.get('status') ?? '';
  let page = Number(query.get('page') ?? 1);
  const list = h('div', spinner());
  const load = async () => {
    try {
      const data = await api.get('/admin/orders', { status, page, pageSize: 50 });
      const items = itemsOf(data);
      mount(list, items.length ? table(['订单 Order', '商品 Product', '会员 Member', h('th.num', '积分 Points'), '状态 Status', '下单 Placed', '物流 Shipping', '操作 Actions'],
        items.map((o) => {
          const id = pick(o, 'id', 'orderId');
          return h('tr', { 'data-testid': 'order-row', 'data-order-id': id, 'data-status': o.status },
            h('td', h('small', id)), h('td', `${o.productName ?? o.productId} × ${o.quantity ?? 1}`), h('td', h('small', o.memberId)),
            h('td.num', fmt.points(o.points)), h('td', statusBadge(o.status)), h('td', fmt.time(o.placedAt)),
            h('td', { 'data-testid': 'order-tracking', 'data-order-id': id }, o.trackingNumber ? `${o.carrier ?? ''} ${o.trackingNumber}` : '—',
              o.shippingAddress ? h('div.muted', h('small', addressText(o.shippingAddress))) : null),
            h('td', h('div.row',
              o.status === 'PendingShipment' ? h('button.btn.primary.small', { type: 'button', 'data-testid': 'ship', 'data-permission': 'orders-write', onclick: () => ship(id, load) }, '发货 Ship') : null,
              ['PendingPayment', 'PendingShipment'].includes(o.status) ? h('button.btn.small.danger', { type: 'button', 'data-permission': 'orders-write', onclick: async () => {
                if (confirm('取消并退款？Cancel and refund?') && await attempt('取消 Cancel', () => api.post(`/admin/orders/${id}/cancel`, { reason: 'operator' }), '已取消 Cancelled')) load();
              } }, '取消 Cancel') : null)));
        }), { 'data-testid': 'orders-table' }) : empty('没有订单 No orders'),
      h('div.pager',
        h('button.btn.small', { type: 'button', disabled: page <= 1, onclick: () => { page--; load(); } }, '上一页 Prev'),
        h('span.muted', `第 ${page} 页 Page ${page}${data.total !== undefined ? ` · 共 ${data.total} total` : ''}`),
        h('button.btn.small', { type: 'button', disabled: data.total !== undefined ? page * 50 >= data.total : items.length < 50, onclick: () => { page++; load(); } }, '下一页 Next')));
      // Index entries written before the list carried the shipment lack it: those few are read from the order.
      await Promise.all(items.filter((o) => ['Shipped', 'Completed'].includes(o.status) && !o.trackingNumber).map(async (o) => {
        const id = pick(o, 'id', 'orderId');
        try {
          const full = await api.get(`/admin/orders/${encodeURIComponent(id)}`);
          const cell = list.querySelector(`[data-testid="order-tracking"][data-order-id="${CSS.escape(id)}"]`);
          if (cell && full.trackingNumber) cell.textContent = `${full.carrier ?? ''} ${full.trackingNumber}`;
        } catch { /* the column stays a dash */ }
      }));
    } catch (e) {
      mount(list, problemBox(e));
    }
  };
  mount(view,
    h('div.toolbar',
      h('a.btn', { href: '/admin/packing', 'data-link': true, 'data-testid': 'packing-list' }, '拣货单 Packing list'),
      h('button.btn', { type: 'button', 'data-testid': 'bulk-ship', 'data-permission': 'orders-write', onclick: () => bulkShip(load) }, '批量发货 Bulk ship (CSV)')),
    h('div.chips', [['', '全部 All'], ...Object.entries(STATUS_TEXT).filter(([k]) => !['Placed', 'Failed'].includes(k))].map(([v, l]) =>
      h(`button.chip${v === status ? '.active' : ''}`, { type: 'button', onclick: () => go(v ? `/admin/orders?status=${v}` : '/admin/orders') }, l))),
    list);
  await load();
}

const addressText = (a) => (a ? `${a.recipient} ${a.phone} · ${a.region} ${a.detail}` : '');
const csvCell = (v) => (/[",\n]/.test(String(v ?? '')) ? `"${String(v).replaceAll('"', '""')}"` : String(v ?? ''));

/** Every order waiting for shipment with where it goes: printed for the warehouse, or saved as the CSV it fills in and uploads. */
async function packingSection() {
  setTitle('拣货单', 'Packing list');
  mount(view, spinner());
  const orders = [];
  try {
    for (let page = 1; ; page++) {
      const data = await api.get('/admin/orders', { status: 'PendingShipment', page, pageSize: 100 });
      const items = itemsOf(data);
      orders.push(...items);
      if (items.length < 100 || orders.length >= (data.total ?? 0)) break;
    }
  } catch (e) {
    mount(view, problemBox(e));
    return;
  }
  const csv = () => ['orderId,carrier,trackingNumber,product,quantity,recipient,phone,address',
    ...orders.map((o) => [o.id, '', '', o.productName, o.quantity, o.shippingAddress?.recipient, o.shippingAddress?.phone,
      o.shippingAddress ? `${o.shippingAddress.region} ${o.shippingAddress.detail}` : ''].map(csvCell).join(','))].join('\n');
  mount(view,
    h('div.toolbar.no-print',
      h('button.btn.primary', { type: 'button', onclick: () => window.print() }, '打印 Print'),
      h('a.btn', { 'data-testid': 'packing-csv', download: `packing-${new Date().toISOString().slice(0, 10)}.csv`, href: URL.createObjectURL(new Blob(['\ufeff', csv()], { type: 'text/csv' })) }, '导出 CSV Download CSV'),
      h('span.muted', `${orders.length} 单待发货 orders to ship`)),
    orders.length ? table(['订单 Order', '商品 Product', h('th.num', '数量 Qty'), '收件人 Recipient', '电话 Phone', '地址 Address'],
      orders.map((o) => h('tr', { 'data-testid': 'packing-row', 'data-order-id': o.id },
        h('td', h('small', o.id)), h('td', o.productName), h('td.num', o.quantity ?? 1),
        h('td', o.shippingAddress?.recipient ?? h('span.badge', '无地址 No address')), h('td', o.shippingAddress?.phone ?? ''),
        h('td', o.shippingAddress ? `${o.shippingAddress.region} ${o.shippingAddress.detail}` : ''))), { 'data-testid': 'packing-table' })
      : empty('没有待发货订单 Nothing to ship'));
}

async function bulkShip(reload) {
  const file = h('input', { type: 'file', accept: '.csv,text/csv', 'data-testid': 'bulk-ship-file' });
  const text = h('textarea', { name: 'csv', rows: 8, placeholder: 'orderId,carrier,trackingNumber', 'data-testid': 'bulk-ship-csv' });
  file.addEventListener('change', async () => { if (file.files?.[0]) text.value = await file.files[0].text(); });
  const data = await dialog('批量发货 Bulk ship', h('div.stack',
    h('p.muted', '上传拣货单 CSV（填好快递公司和运单号），或直接粘贴。Upload the packing list CSV with carrier and tracking number filled in, or paste it.'),
    field('文件 File', file), field('内容 CSV', text)), { submitLabel: '发货 Ship' });
  if (!data) return;
  const r = await attempt('批量发货 Bulk ship', () => api.post('/admin/orders/ship-bulk', { csv: String(data.get('csv') ?? '').replace(/^\ufeff/, '') }));
  if (!r) return;
  toast(`已发货 ${r.shipped} shipped · 未发货 ${r.refused} refused`, r.refused ? 'error' : 'ok');
  if (r.refused) {
    await dialog('未发货的行 Rows not shipped', table(['行 Row', '订单 Order', '原因 Reason'],
      r.lines.filter((l) => !l.shipped).map((l) => h('tr', { 'data-testid': 'bulk-ship-refused' }, h('td', l.row), h('td', l.orderId ?? ''), h('td', `${l.code}: ${l.detail ?? ''}`)))), { submitLabel: '知道了 OK' });
  }
  reload();
}

async function ship(id, reload) {
  const known = await carrierList();
  const data = await dialog(`发货 Ship · ${id}`, h('div.form-grid',
    field('快递公司 Carrier', h('input', { name: 'carrier', required: true, maxlength: 50, list: 'carrier-list', value: known[0]?.code ?? '', 'data-testid': 'carrier' })),
    h('datalist', { id: 'carrier-list' }, known.map((c) => h('option', { value: c.code }, c.name))),
    field('运单号 Tracking number', h('input', { name: 'trackingNumber', required: true, maxlength: 64, pattern: '[A-Za-z0-9-]{4,64}', 'data-testid': 'tracking-number' }))), { submitLabel: '确认发货 Ship' });
  if (!data) return;
  if (await attempt('发货 Ship', () => api.post(`/admin/orders/${id}/ship`, { carrier: data.get('carrier'), trackingNumber: data.get('trackingNumber') }), '已发货 Shipped')) reload();
}

async function membersSection(_p, query) {
  setTitle('会员与积分', 'Members & points');
  const q = query.get('q') ?? '';
  const list = h('div', spinner());
  const load = async () => {
    try {
      const items = itemsOf(await api.get('/admin/members', { q, pageSize: 50 }));
      mount(list, items.length ? table(['会员 Member', '手机/邮箱 Contact', '等级 Tier', h('th.num', '积分 Balance'), '操作 Actions'],
        items.map((m) => h('tr', { 'data-testid': 'member-row', 'data-member-id': m.id },
          h('td', h('strong', m.displayName), h('div.muted', h('small', m.id))), h('td', m.phone ?? m.email ?? ''), h('td', h('span.badge.tier', m.tier)),
          h('td.num', { 'data-testid': 'member-balance' }, fmt.points(m.balance)),
          h('td', h('div.row',
            h('button.btn.small', { type: 'button', 'data-testid': 'adjust', 'data-permission': 'member-support', onclick: () => adjust(m, load) }, '调整积分 Adjust'),
            h('button.btn.small', { type: 'button', 'data-testid': 'earn', 'data-permission': 'members-manage', onclick: () => earn(m, load) }, '消费积分 Purchase earn'))))), { 'data-testid': 'members-table' })
        : empty('没有会员 No members'));
    } catch (e) {
      mount(list, problemBox(e));
    }
  };
  const search = h('input', { type: 'search', placeholder: '手机/邮箱/昵称 Phone, e-mail, name', value: q, 'aria-label': '搜索会员 Search members', 'data-testid': 'member-search' });
  mount(view,
    h('div.toolbar',
      h('form', { onsubmit: (e) => { e.preventDefault(); go(`/admin/members${search.value ? `?q=${encodeURIComponent(search.value.trim())}` : ''}`); } }, search),
      h('button.btn', { type: 'button', 'data-permission': 'members-manage', onclick: () => bulk(load) }, '批量创建 Bulk create')),
    list);
  await load();
}

async function adjust(m, reload) {
  const data = await dialog(`调整积分 Adjust points · ${m.displayName}`, h('div.form-grid',
    field('积分 Amount', h('input', { name: 'amount', type: 'number', required: true, 'data-testid': 'adjust-amount' }), '正数发放，负数扣减 Positive grants, negative deducts'),
    field('原因 Reason', h('input', { name: 'reason', required: true, maxlength: 200, value: '客服调整 Service adjustment', 'data-testid': 'adjust-reason' }))), { submitLabel: '提交 Submit' });
  if (!data) return;
  const r = await attempt('调整 Adjust', () => api.post(`/admin/members/${m.id}/points`, { amount: Number(data.get('amount')), reason: data.get('reason') }));
  if (r) { toast(`余额 Balance: ${fmt.points(r.balance)}`, 'ok'); reload(); }
}

async function earn(m, reload) {
  const data = await dialog(`消费积分 Earn for a purchase · ${m.displayName}`, h('div.form-grid',
    field('消费金额 Purchase amount (¥)', h('input', { name: 'purchase', type: 'number', min: 0.01, step: '0.01', required: true, 'data-testid': 'earn-amount' })),
    field('单号 Reference', h('input', { name: 'reference', required: true, maxlength: 100, value: `POS-${Date.now()}` }))), { submitLabel: '发放 Award' });
  if (!data) return;
  const yuan = Number(data.get('purchase'));
  const r = await attempt('发放 Award', () => api.post('/admin/earn', { memberId: m.id, purchaseAmount: yuan, purchaseAmountFen: Math.round(yuan * 100), reference: data.get('reference') }));
  if (r) { toast(`+${fmt.points(r.pointsAwarded)} · 余额 Balance ${fmt.points(r.balance)}`, 'ok'); reload(); }
}

async function bulk(reload) {
  const data = await dialog('批量创建会员 Bulk create members', h('div.form-grid',
    field('数量 Count', h('input', { name: 'count', type: 'number', min: 1, max: 1000, value: 10, required: true })),
    field('初始积分 Starting points', h('input', { name: 'startingPoints', type: 'number', min: 0, value: 1000, required: true }))), { submitLabel: '创建 Create' });
  if (!data) return;
  const r = await attempt('创建 Create', () => api.post('/admin/members/bulk', { count: Number(data.get('count')), startingPoints: Number(data.get('startingPoints')) }));
  if (r) { toast(`已创建 ${itemsOf(r).length || r.members?.length || 0} 名会员 members created`, 'ok'); reload(); }
}

/** Rules are data: the console edits the JSON the API returns (with its version for the optimistic check). */

/**
 * What a purchase earns under the rules being edited, as the server computes it (POST /admin/rules/preview):
 * asked again, debounced, whenever the draft or the question changes. Returns the card and its refresh function.
 */
function rulesPreview(draft, { campaign } = {}) {
  const amount = h('input', { type: 'number', min: 0, step: '0.01', value: '230', 'aria-label': '消费金额 Purchase (¥)', 'data-testid': 'preview-amount' });
  const tier = h('select', { 'aria-label': '会员等级 Tier', 'data-testid': 'preview-tier' }, TIERS.map((t) => h('option', { value: t, selected: t === 'Gold' }, t)));
  const answer = h('div.stack', { 'aria-live': 'polite', 'data-testid': 'rules-preview' });
  let timer;
  const refresh = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        const r = await api.post('/admin/rules/preview', { draft: draft(), campaign: campaign?.(), purchaseAmount: Number(amount.value) || 0, tier: tier.value });
        mount(answer, h('strong', { 'data-testid': 'preview-sentence', 'data-points': r.points }, r.sentence),
          h('div.muted', `${r.basePoints} × ${r.tierMultiplier}${r.campaignMultiplier !== 1 ? ` × ${r.campaignMultiplier}` : ''} → ${fmt.points(r.points)} 积分 (向下取整 floored)`),
          r.signInDays.length ? h('div.muted', `签到第 1–${r.signInDays.length} 天 Sign-in days: ${r.signInDays.join(' · ')}`) : null);
      } catch (e) {
        mount(answer, problemBox(e));
      }
    }, 250);
  };
  amount.addEventListener('input', refresh);
  tier.addEventListener('change', refresh);
  const card = h('section.card.stack', h('h3', '预览 Preview'), h('div.row', field('消费 Purchase (¥)', amount), field('等级 Tier', tier)), answer);
  return { card, refresh };
}

async function rulesSection() {
  setTitle('规则', 'Rules');
  mount(view, spinner());
  let rules;
  try { rules = await api.get('/admin/rules'); } catch (e) { mount(view, problemBox(e)); return; }
  const input = (name, value, attrs = {}) => h('input', { name, value: value ?? '', 'data-testid': `rules-${name}`, ...attrs });
  const numberInput = (name, value, attrs = {}) => input(name, value, { type: 'number', ...attrs });
  const tierRows = (rules.tiers ?? []).map((t, i) => h('tr', { 'data-testid': 'tier-row' },
    h('td', t.tier), h('td', numberInput(`tier-${i}-min`, t.minPoints, { min: 0, 'aria-label': `${t.tier} 门槛 threshold` })),
    h('td', numberInput(`tier-${i}-multiplier`, t.multiplier, { min: 0.01, max: 10, step: '0.01', 'aria-label': `${t.tier} 倍数 multiplier` }))));
  const taskRows = (rules.tasks ?? []).map((t, i) => h('tr', { 'data-testid': 'task-row' },
    h('td', TASK_TEXT[t.kind] ?? t.kind), h('td', numberInput(`task-${i}-points`, t.points, { min: 0, 'aria-label': `${t.kind} 积分 points` })),
    h('td', numberInput(`task-${i}-perCorrect`, t.pointsPerCorrectAnswer, { min: 0, 'aria-label': `${t.kind} 每题 per answer` })),
    h('td', numberInput(`task-${i}-cap`, t.dailyCap, { min: 0, 'aria-label': `${t.kind} 每日上限 daily cap` }))));
  const form = h('form.stack', { 'data-testid': 'rules-form', onsubmit: (e) => e.preventDefault() },
    h('section.card', h('h3', '消费积分 Earning on purchases'), h('div.form-grid.two',
      field('每消费 ¥ Every ¥ spent', numberInput('perYuan', (rules.purchase.fenPerStep / 100).toFixed(2), { min: 0.01, step: '0.01', required: true })),
      field('得积分 earns points', numberInput('pointsPerStep', rules.purchase.pointsPerStep, { min: 0, required: true })))),
    h('section.card', h('h3', '每日签到 Daily sign-in'), h('div.form-grid.two',
      field('阶梯（第 1、2…天）Ladder (day 1, 2, …)', input('ladder', (rules.signIn.ladder ?? []).join(', '), { required: true, pattern: '\\s*\\d+(\\s*,\\s*\\d+)*\\s*' }), '逗号分隔 Comma-separated'),
      field('连续奖励 Streak bonus', numberInput('streakBonus', rules.signIn.streakBonus, { min: 0 })),
      field('每连续 N 天 Every N days', numberInput('bonusEveryDays', rules.signIn.bonusEveryDays, { min: 0, max: 366 }), '0 = 无 none'),
      field('生日礼积分 Birthday gift', numberInput('birthdayPoints', rules.birthdayPoints ?? 0, { min: 0, max: 1000000 }), '会员生日当天赠送 On the member\'s birthday; 0 = 无 none'))),
    h('section.card', h('h3', '会员等级 Tiers'), table(['等级 Tier', '门槛积分 From points', '积分倍数 Multiplier'], tierRows),
      h('div.form-grid.two',
        field('依据 Judged on', h('select', { name: 'tierBasis', 'data-testid': 'rules-tierBasis' },
          [['LifetimeEarned', '累计获得 Lifetime earned'], ['EarnedInWindow', '窗口内获得 Earned in a window']].map(([v, l]) => h('option', { value: v, selected: v === rules.tierBasis }, l)))),
        field('窗口天数 Window days', numberInput('tierWindowDays', rules.tierWindowDays, { min: 1, max: 3650 })))),
    h('section.card', h('h3', '积分有效期 Expiry'), h('div.form-grid.two',
      field('方式 Kind', h('select', { name: 'expiryKind', 'data-testid': 'rules-expiryKind' },
        Object.entries(EXPIRY_TEXT).map(([v, l]) => h('option', { value: v, selected: v === rules.expiry.kind }, l)))),
      field('N', numberInput('expiryPeriods', rules.expiry.periods, { min: 0, max: 120 })))),
    h('section.card', h('h3', '任务 Tasks'), table(['任务 Task', '积分 Points', '每答对一题 Per correct answer', '每日上限 Daily cap'], taskRows)));
  const value = (name) => form.elements[name]?.value;
  const draft = () => ({
    version: rules.version,
    purchase: { fenPerStep: Math.round(Number(value('perYuan')) * 100), pointsPerStep: Number(value('pointsPerStep')) },
    signIn: { ladder: String(value('ladder')).split(',').map((x) => Number(x.trim())).filter((x) => !Number.isNaN(x)),
      streakBonus: Number(value('streakBonus')), bonusEveryDays: Number(value('bonusEveryDays')) },
    tiers: (rules.tiers ?? []).map((t, i) => ({ tier: t.tier, minPoints: Number(value(`tier-${i}-min`)), multiplier: Number(value(`tier-${i}-multiplier`)) })),
    birthdayPoints: Number(value('birthdayPoints')),
    tierBasis: value('tierBasis'),
    tierWindowDays: Number(value('tierWindowDays')),
    expiry: { kind: value('expiryKind'), periods: Number(value('expiryPeriods')) },
    tasks: (rules.tasks ?? []).map((t, i) => ({ kind: t.kind, points: Number(value(`task-${i}-points`)), pointsPerCorrectAnswer: Number(value(`task-${i}-perCorrect`)), dailyCap: Number(value(`task-${i}-cap`)) })),
  });
  const preview = rulesPreview(draft);
  form.addEventListener('input', preview.refresh);
  form.addEventListener('change', preview.refresh);
  const json = h('pre.code', { 'data-testid': 'rules-json' });
  mount(view, h('div.rules-layout', form, h('div.stack.sticky', preview.card,
    h('div.row', h('button.btn.primary', { type: 'button', 'data-testid': 'save-rules', 'data-permission': 'rules-write', onclick: async () => {
      if (!form.reportValidity()) return;
      if (await attempt('保存 Save', () => api.put('/admin/rules', draft()), '规则已保存 Rules saved')) rulesSection();
    } }, '保存 Save'), h('button.btn', { type: 'button', onclick: rulesSection }, '重置 Reset')),
    h('p.muted', `版本 Version ${rules.version}：他人先保存时，你的保存会被拒绝（请重置后再改）。If someone saves first, yours is refused: reset and edit again.`),
    h('details', { ontoggle: () => { json.textContent = JSON.stringify(draft(), null, 2); } }, h('summary', '将保存的内容 What will be saved (JSON)'), json))));
  preview.refresh();
}

const SCOPE_TEXT = { purchases: '消费 Purchases', sign_in: '签到 Sign-in', tasks: '任务 Tasks' };

async function campaignsSection() {
  setTitle('活动', 'Campaigns');
  const list = h('div', spinner());
  const load = async () => {
    try {
      const items = itemsOf(await api.get('/admin/campaigns'));
      const now = Date.now();
      mount(list, items.length ? table(['名称 Name', h('th.num', '倍数 Multiplier'), '适用 Applies to', '会员等级 Tiers', '开始 Starts', '结束 Ends', '状态 State', ''],
        items.map((c) => h('tr', { 'data-testid': 'campaign-row' },
          h('td', c.name), h('td.num', `×${c.multiplier}`), h('td', (c.appliesTo ?? []).map((a) => SCOPE_TEXT[a] ?? a).join(' · ')),
          h('td', c.tiers?.length ? c.tiers.join(', ') : '全部 All'), h('td', fmt.time(c.startsAt)), h('td', fmt.time(c.endsAt)),
          h('td', c.active || (Date.parse(c.startsAt) <= now && Date.parse(c.endsAt) > now) ? h('span.badge.hot', '进行中 Live')
            : Date.parse(c.startsAt) > now ? h('span.badge', '未开始 Upcoming') : h('span.badge', '已结束 Ended')),
          h('td', h('button.btn.small.danger', { type: 'button', 'data-permission': 'campaigns-write', onclick: async () => {
            if (confirm('删除活动？Delete campaign?') && await attempt('删除 Delete', () => api.del(`/admin/campaigns/${encodeURIComponent(c.id)}`), '已删除 Deleted')) load();
          } }, '删除 Delete'))))) : empty('暂无活动 No campaigns'));
    } catch (e) {
      mount(list, problemBox(e));
    }
  };
  mount(view, h('div.toolbar', h('button.btn.primary', { type: 'button', 'data-permission': 'campaigns-write', onclick: async () => {
    const start = new Date();
    const end = new Date(start.getTime() + 7 * 86400000);
    const fields = h('div.form-grid',
      field('名称 Name', h('input', { name: 'name', required: true, maxlength: 100, value: '双倍积分周 Double points week', 'data-testid': 'campaign-name' })),
      field('积分倍数 Multiplier', h('input', { name: 'multiplier', type: 'number', min: 1, step: '0.1', required: true, value: 2, 'data-testid': 'campaign-multiplier' })),
      field('开始 Starts', h('input', { name: 'startsAt', type: 'datetime-local', required: true, value: toLocalInput(start.toISOString()) })),
      field('结束 Ends', h('input', { name: 'endsAt', type: 'datetime-local', required: true, value: toLocalInput(end.toISOString()) })),
      h('fieldset', h('legend', '适用于 Applies to'), Object.entries(SCOPE_TEXT).map(([value, text]) =>
        h('label.checkbox', h('input', { type: 'checkbox', name: 'appliesTo', value, checked: value === 'purchases', 'data-testid': `campaign-${value}` }), ` ${text}`))),
      h('fieldset', h('legend', '只对 Only for (none: every tier)'), TIERS.map((t) => h('label.checkbox', h('input', { type: 'checkbox', name: 'tiers', value: t }), ` ${t}`))));
    // The preview asks what a purchase earns while this campaign runs (at its start), with it counted as saved.
    const read = (name) => fields.querySelector(`[name=${name}]`).value;
    const preview = rulesPreview(() => undefined, { campaign: () => ({ name: read('name') || 'draft', multiplier: Number(read('multiplier')) || 1,
      startsAt: fromLocalInput(read('startsAt')), endsAt: fromLocalInput(read('endsAt')) }) });
    fields.addEventListener('input', preview.refresh);
    preview.refresh();
    const data = await dialog('新建活动 New campaign', h('div.stack', fields, preview.card), { submitLabel: '创建 Create' });
    if (!data) return;
    const tiers = data.getAll('tiers');
    if (await attempt('创建 Create', () => api.post('/admin/campaigns', {
      name: data.get('name'), multiplier: Number(data.get('multiplier')), startsAt: fromLocalInput(data.get('startsAt')), endsAt: fromLocalInput(data.get('endsAt')),
      appliesTo: data.getAll('appliesTo'), tiers: tiers.length ? tiers : undefined,
    }), '活动已创建 Campaign created')) load();
  } }, '+ 新建活动 New campaign')), list);
  await load();
}

function tierRow(t = {}) {
  return h('div.form-grid.two.tier-row', { style: { gridTemplateColumns: '2fr 1fr 1fr 1fr 2fr auto', alignItems: 'end' } },
    h('input', { type: 'hidden', name: 'tierId', value: t.id ?? '' }),
    field('奖项 Prize name', h('input', { name: 'tierName', required: true, maxlength: 100, value: t.name ?? '' })),
    field('概率 Probability', h('input', { name: 'probability', type: 'number', min: 0, max: 1, step: '0.0001', required: true, value: t.probability ?? 0.1 })),
    field('数量 Stock', h('input', { name: 'tierStock', type: 'number', min: 0, required: true, value: t.stock ?? t.remaining ?? 10 })),
    field('奖励积分 Bonus points', h('input', { name: 'bonusPoints', type: 'number', min: 0, value: t.bonusPoints ?? 0 })),
    field('奖品商品 Prize product id', h('input', { name: 'prizeProductId', maxlength: 100, value: t.prizeProductId ?? '' })),
    h('button.btn.small.danger', { type: 'button', onclick: (e) => e.target.closest('.tier-row').remove() }, '✕'));
}

async function lotteryDialog(existing) {
  const table = existing?.table ?? {};
  const tiers = h('div.stack', (existing?.tiers ?? table.tiers ?? [{}]).map(tierRow));
  const data = await dialog(existing ? `编辑抽奖 Edit · ${existing.name}` : '新建抽奖 New lottery', h('div.stack',
    h('div.form-grid.two',
      field('名称 Name', h('input', { name: 'name', required: true, maxlength: 100, value: existing?.name ?? '' })),
      field('每次消耗积分 Cost per draw', h('input', { name: 'cost', type: 'number', min: 0, required: true, value: existing?.cost ?? 100 })),
      field('参与奖积分 Participation points', h('input', { name: 'participationPoints', type: 'number', min: 0, value: existing?.participationPoints ?? table.participationPoints ?? 0 })),
      field('开始 Starts', h('input', { name: 'startsAt', type: 'datetime-local', value: toLocalInput(existing?.startsAt) })),
      field('结束 Ends', h('input', { name: 'endsAt', type: 'datetime-local', value: toLocalInput(existing?.endsAt) })),
      field('每人每日次数 Draws per member per day', h('input', { name: 'dailyDrawLimit', type: 'number', min: 1, max: 1000, value: existing?.dailyDrawLimit ?? '', placeholder: '不限 No limit' }))),
    h('h3', '奖项 Prize tiers'), tiers,
    h('button.btn.small', { type: 'button', onclick: () => tiers.append(tierRow()) }, '+ 奖项 Add tier')), { submitLabel: '保存 Save' });
  if (!data) return null;
  const names = data.getAll('tierName');
  const probs = data.getAll('probability');
  const stocks = data.getAll('tierStock');
  const prizes = data.getAll('prizeProductId');
  const ids = data.getAll('tierId');
  const bonuses = data.getAll('bonusPoints');
  return {
    name: data.get('name'),
    cost: Number(data.get('cost')),
    participationPoints: Number(data.get('participationPoints') || 0),
    startsAt: fromLocalInput(data.get('startsAt')) ?? undefined,
    endsAt: fromLocalInput(data.get('endsAt')) ?? undefined,
    dailyDrawLimit: data.get('dailyDrawLimit') ? Number(data.get('dailyDrawLimit')) : undefined,
    tiers: names.map((name, i) => ({ id: ids[i] || undefined, name, probability: Number(probs[i]), stock: Number(stocks[i]),
      bonusPoints: Number(bonuses[i] || 0), prizeProductId: prizes[i] || undefined })),
  };
}

/** A lottery's draw audit trail, filtered by member and outcome (won, lost or a tier id) through the URL. */
async function lotteryDraws(lottery, query) {
  const filters = h('form.toolbar', { 'data-testid': 'draw-filters' },
    h('input', { name: 'member', placeholder: '会员 Member id', value: query.get('member') ?? '', 'aria-label': '会员 Member' }),
    h('select', { name: 'outcome', 'aria-label': '结果 Outcome' },
      [['', '全部 All'], ['won', '中奖 Won'], ['lost', '未中 Lost'], ...(lottery.tiers ?? []).map((t) => [t.id, t.name])]
        .map(([value, text]) => h('option', { value, selected: value === (query.get('outcome') ?? '') }, text))),
    h('button.btn', { type: 'submit' }, '查询 Search'));
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    const params = new URLSearchParams([['draws', lottery.id], ...[...new FormData(filters)].filter(([, v]) => String(v).trim() !== '')]);
    go(`/admin/lotteries?${params}`);
  });
  const tierName = Object.fromEntries((lottery.tiers ?? []).map((t) => [t.id, t.name]));
  const body = h('div', spinner());
  try {
    const data = await api.get(`/admin/lotteries/${encodeURIComponent(lottery.id)}/draws`, { member: query.get('member'), outcome: query.get('outcome'), pageSize: 50 });
    const items = itemsOf(data);
    mount(body, items.length ? table(['# Draw', '时间 Time', '会员 Member', h('th.num', '随机数 Value'), '版本 Table', '落点 Landed', '中奖 Won', h('th.num', '奖励 Bonus')],
      items.map((d) => h('tr', { 'data-testid': 'draw-row' },
        h('td', h('code', d.drawNumber)), h('td', fmt.time(d.at)), h('td', h('code', d.memberId)), h('td.num', d.randomValue.toFixed(12)),
        h('td', `v${d.tableVersion}`), h('td', d.landedTierId ? (tierName[d.landedTierId] ?? d.landedTierId) : '—'),
        h('td', d.wonTierId ? h('span.badge.ok', tierName[d.wonTierId] ?? d.wonTierId) : h('span.muted', '—')), h('td.num', d.bonusPoints || '—'))),
      { 'data-testid': 'draws-table' }) : empty('没有记录 No draws'));
    body.prepend(h('p.muted', `共 ${data.total} 次 ${data.total} draws · 种子承诺 Seed commitment `, h('code', lottery.seedHash ?? '—'),
      lottery.seed ? [' · 种子 Seed ', h('code', { 'data-testid': 'lottery-seed' }, lottery.seed)] : ''));
  } catch (e) {
    mount(body, problemBox(e));
  }
  return h('section.card', { 'data-testid': 'lottery-draws' }, h('h3', `抽奖记录 Draw audit · ${lottery.name}`), filters, body);
}

async function lotteriesSection(_p, query) {
  setTitle('抽奖', 'Lotteries');
  const list = h('div', spinner());
  const trail = h('div');
  const load = async () => {
    try {
      const items = itemsOf(await api.get('/admin/lotteries'));
      mount(list, items.length ? table(['名称 Name', h('th.num', '消耗 Cost'), '奖项 Tiers', h('th.num', '抽奖次数 Draws'), h('th.num', '中奖 Wins'), ''],
        items.map((l) => h('tr', { 'data-testid': 'lottery-row' },
          h('td', h('strong', l.name), h('div.muted', h('small', l.id))), h('td.num', fmt.points(l.cost ?? pick(l, 'table.costPoints'))),
          h('td', (l.tiers ?? pick(l, 'table.tiers') ?? []).map((t) => h('div', `${t.name} · ${(Number(t.probability) * 100).toFixed(2)}% · ${t.remaining ?? t.stock ?? ''}`))),
          h('td.num', l.draws ?? '—'), h('td.num', l.wins ?? '—'),
          h('td', h('div.toolbar',
            h('a.btn.small', { href: `/admin/lotteries?draws=${encodeURIComponent(l.id)}`, 'data-link': true, 'data-testid': 'lottery-draws-link' }, '记录 Draws'),
            l.status === 'ended' ? h('span.badge', '已结束 Ended') : [
              h('button.btn.small', { type: 'button', 'data-permission': 'lotteries-write', onclick: async () => {
                const body = await lotteryDialog(l);
                if (body && await attempt('保存 Save', () => api.put(`/admin/lotteries/${encodeURIComponent(l.id)}`, body), '已保存 Saved')) load();
              } }, '编辑 Edit'),
              h('button.btn.small.danger', { type: 'button', 'data-permission': 'lotteries-write', 'data-testid': 'close-lottery', onclick: async () => {
                if (!confirm(`结束抽奖并公开种子？End ${l.name} now and publish its seed? It cannot be reopened.`)) return;
                if (await attempt('结束 End', () => api.post(`/admin/lotteries/${encodeURIComponent(l.id)}/close`), '已结束，种子已公开 Ended; seed published')) load();
              } }, '结束 End')]))))) : empty('暂无抽奖 No lotteries'));
      const shown = items.find((l) => l.id === query.get('draws'));
      mount(trail, shown ? await lotteryDraws(shown, query) : '');
    } catch (e) {
      mount(list, problemBox(e));
    }
  };
  mount(view, h('div.toolbar', h('button.btn.primary', { type: 'button', 'data-permission': 'lotteries-write', onclick: async () => {
    const body = await lotteryDialog(null);
    if (body && await attempt('创建 Create', () => api.post('/admin/lotteries', body), '抽奖已创建 Lottery created')) load();
  } }, '+ 新建抽奖 New lottery')), list, trail);
  await load();
}

async function announcementsSection() {
  setTitle('公告', 'Announcements');
  const list = h('div', spinner());
  const load = async () => {
    try {
      const items = itemsOf(await api.get('/admin/announcements'));
      mount(list, items.length ? table(['标题 Title', '内容 Body', '会员等级 Tiers', '发布 Published', '到期 Expires', ''],
        items.map((a) => h('tr', { 'data-testid': 'announcement-row' },
          h('td', h('strong', a.title), a.active ? null : h('div', h('span.badge', '已过期 Expired'))), h('td', a.body),
          h('td', a.tiers?.length ? a.tiers.join(', ') : '全部 All'), h('td', fmt.time(a.at)), h('td', a.expiresAt ? fmt.time(a.expiresAt) : '—'),
          h('td', h('button.btn.small.danger', { type: 'button', 'data-permission': 'campaigns-write', onclick: async () => {
            if (confirm('撤回公告？Withdraw this announcement from every inbox?')
              && await attempt('撤回 Withdraw', () => api.del(`/admin/announcements/${encodeURIComponent(a.id)}`), '已撤回 Withdrawn')) load();
          } }, '撤回 Withdraw'))))) : empty('暂无公告 No announcements'));
    } catch (e) {
      mount(list, problemBox(e));
    }
  };
  mount(view, h('div.toolbar', h('button.btn.primary', { type: 'button', 'data-permission': 'campaigns-write', 'data-testid': 'new-announcement', onclick: async () => {
    const data = await dialog('发布公告 New announcement', h('div.stack',
      field('标题 Title', h('input', { name: 'title', required: true, maxlength: 100 })),
      field('内容 Body', h('textarea', { name: 'body', required: true, maxlength: 2000, rows: 4 })),
      h('fieldset', h('legend', '只发给 Only to (none: everyone)'), TIERS.map((t) => h('label.checkbox', h('input', { type: 'checkbox', name: 'tiers', value: t }), ` ${t}`))),
      field('到期 Expires (optional)', h('input', { name: 'expiresAt', type: 'datetime-local' }))), { submitLabel: '发布 Publish' });
    if (!data) return;
    const tiers = data.getAll('tiers');
    if (await attempt('发布 Publish', () => api.post('/admin/announcements', {
      title: data.get('title'), body: data.get('body'), tiers: tiers.length ? tiers : undefined, expiresAt: fromLocalInput(data.get('expiresAt')) ?? undefined,
    }), '已发布 Published')) load();
  } }, '+ 发布公告 New announcement')), list);
  await load();
}

/** A coupon's form: new (with its id) or changing one (terms, quantity, limit, claim window). */
async function couponDialog(c) {
  const data = await dialog(c ? `修改优惠券 Edit ${c.name}` : '新建优惠券 New coupon', h('div.form-grid',
    c ? null : field('编号 Id', h('input', { name: 'id', required: true, maxlength: 64, pattern: '[A-Za-z0-9_\\-]+', placeholder: 'spring-50' })),
    field('名称 Name', h('input', { name: 'name', required: true, maxlength: 100, value: c?.name ?? '' })),
    field('面值 Face value (points)', h('input', { name: 'facePoints', type: 'number', min: 1, required: true, value: c?.facePoints ?? 50 })),
    field('最低订单积分 Minimum order (points)', h('input', { name: 'minPoints', type: 'number', min: 0, value: c?.minPoints ?? 0 })),
    field('适用品类 Category', h('select', { name: 'category' }, h('option', { value: '' }, '全部 Any'),
      Object.entries(CATEGORY_TEXT).map(([value, text]) => h('option', { value, selected: c?.category === value }, text)))),
    field('领取后有效天数 Valid days after claim', h('input', { name: 'validDays', type: 'number', min: 1, max: 3650, required: true, value: c?.validDays ?? 30 })),
    field('发放总量 Quantity', h('input', { name: 'quantity', type: 'number', min: 1, required: true, value: c?.quantity ?? 1000 })),
    field('每人限领 Per member', h('input', { name: 'perMemberLimit', type: 'number', min: 1, max: 100, value: c?.perMemberLimit ?? 1 })),
    field('开始领取 Claimable from (optional)', h('input', { name: 'claimFrom', type: 'datetime-local', value: toLocalInput(c?.claimFrom) })),
    field('停止领取 Claimable until (optional)', h('input', { name: 'claimUntil', type: 'datetime-local', value: toLocalInput(c?.claimUntil) }))), { submitLabel: '保存 Save' });
  if (!data) return null;
  const number = (name) => (data.get(name) === '' ? undefined : Number(data.get(name)));
  return {
    id: c?.id ?? data.get('id'),
    body: {
      name: data.get('name'), facePoints: number('facePoints'), minPoints: number('minPoints'), category: data.get('category') || undefined,
      validDays: number('validDays'), quantity: number('quantity'), perMemberLimit: number('perMemberLimit'),
      claimFrom: fromLocalInput(data.get('claimFrom')) ?? undefined, claimUntil: fromLocalInput(data.get('claimUntil')) ?? undefined,
    },
  };
}

async function couponsSection() {
  setTitle('优惠券', 'Coupons');
  const list = h('div', spinner());
  const save = async (c) => {
    const edit = await couponDialog(c);
    if (edit && await attempt('保存 Save', () => api.put(`/admin/coupons/${encodeURIComponent(edit.id)}`, edit.body), '已保存 Saved')) load();
  };
  const load = async () => {
    try {
      const items = itemsOf(await api.get('/admin/coupons', { pageSize: 100 }));
      mount(list, items.length ? table(['名称 Name', '面值 Face', '门槛 Minimum', '品类 Category', '有效 Valid', '已领/总量 Issued', '每人 Each', '领取时间 Claimable', ''],
        items.map((c) => h('tr', { 'data-testid': 'coupon-row', 'data-coupon-id': c.id },
          h('td', h('strong', c.name), h('div.muted', c.id)), h('td.num', fmt.points(c.facePoints)), h('td.num', fmt.points(c.minPoints)),
          h('td', c.category ? (CATEGORY_TEXT[c.category] ?? c.category) : '全部 Any'), h('td.num', `${c.validDays} 天 days`),
          h('td.num', `${fmt.points(c.issued)} / ${fmt.points(c.quantity)}`), h('td.num', c.perMemberLimit),
          h('td', `${c.claimFrom ? fmt.time(c.claimFrom) : '—'} → ${c.claimUntil ? fmt.time(c.claimUntil) : '—'}`),
          h('td', h('button.btn.small', { type: 'button', 'data-permission': 'campaigns-write', onclick: () => save(c) }, '修改 Edit'))))) : empty('暂无优惠券 No coupons'));
      applyPermissions(list);
    } catch (e) {
      mount(list, problemBox(e));
    }
  };
  mount(view, h('div.toolbar', h('button.btn.primary', { type: 'button', 'data-permission': 'campaigns-write', 'data-testid': 'new-coupon', onclick: () => save(null) },
    '+ 新建优惠券 New coupon')), list);
  await load();
}

/**
 * Questions as operators type them: blocks separated by a blank line, the question first, then one option per line;
 * in a quiz a leading * marks the correct option.
 */
function parseQuestions(text) {
  return text.split(/\n\s*\n/).map((block) => block.split('\n').map((l) => l.trim()).filter(Boolean)).filter((lines) => lines.length).map(([question, ...options]) => {
    const answer = options.findIndex((o) => o.startsWith('*'));
    return { text: question, options: options.map((o) => o.replace(/^\*\s*/, '')), answer: answer >= 0 ? answer : undefined };
  });
}

const formatQuestions = (questions = []) => questions.map((q) => [q.text, ...q.options.map((o, i) => (i === q.answer ? `*${o}` : o))].join('\n')).join('\n\n');

async function surveyDialog(sv) {
  const data = await dialog(sv ? `修改 Edit ${sv.title}` : '新建问卷/答题 New survey or quiz', h('div.stack',
    sv ? null : field('编号 Id', h('input', { name: 'id', required: true, maxlength: 64, pattern: '[A-Za-z0-9_\\-]+', placeholder: 'quiz-2026-12' })),
    field('类型 Kind', h('select', { name: 'kind' }, h('option', { value: 'survey', selected: sv?.kind !== 'quiz' }, '问卷 Survey'), h('option', { value: 'quiz', selected: sv?.kind === 'quiz' }, '答题 Quiz'))),
    field('标题 Title', h('input', { name: 'title', required: true, maxlength: 100, value: sv?.title ?? '' })),
    field('题目 Questions', h('textarea', { name: 'questions', required: true, rows: 10, 'data-testid': 'survey-questions' }, formatQuestions(sv?.questions)),
      '每题一段，空行分隔：第一行题目，其后每行一个选项；答题用 * 标出正确选项。One block per question: the question, then one option per line; * marks the right one in a quiz.'),
    field('积分 Points (survey: on completion; quiz: per right answer)', h('input', { name: 'points', type: 'number', min: 0, max: 10000, value: sv?.points ?? 10 })),
    field('排名奖励 Ranking bonus (quiz, e.g. 100,50,20)', h('input', { name: 'rankingBonus', value: (sv?.rankingBonus ?? []).join(',') })),
    field('开始 Starts (optional)', h('input', { name: 'startsAt', type: 'datetime-local', value: toLocalInput(sv?.startsAt) })),
    field('截止 Ends (optional)', h('input', { name: 'endsAt', type: 'datetime-local', value: toLocalInput(sv?.endsAt) }))), { submitLabel: '保存 Save' });
  if (!data) return null;
  const bonus = String(data.get('rankingBonus') ?? '').split(/[,，\s]+/).filter(Boolean).map(Number);
  return {
    id: sv?.id ?? data.get('id'),
    body: {
      kind: data.get('kind'), title: data.get('title'), questions: parseQuestions(String(data.get('questions') ?? '')), points: Number(data.get('points') || 0),
      rankingBonus: bonus.length ? bonus : undefined, startsAt: fromLocalInput(data.get('startsAt')) ?? undefined, endsAt: fromLocalInput(data.get('endsAt')) ?? undefined,
    },
  };
}

async function surveysSection() {
  setTitle('问卷与答题', 'Surveys and quizzes');
  const list = h('div', spinner());
  const ranking = h('div');
  const save = async (sv) => {
    const edit = await surveyDialog(sv);
    if (edit && await attempt('保存 Save', () => api.put(`/admin/surveys/${encodeURIComponent(edit.id)}`, edit.body), '已保存 Saved')) load();
  };
  const showRanking = async (sv) => {
    try {
      const r = await api.get(`/admin/surveys/${encodeURIComponent(sv.id)}/ranking`);
      mount(ranking, h('h3', `排名 Ranking: ${sv.title}`), itemsOf(r).length ? table(['名次 Rank', '会员 Member', '答对 Right', '时间 At', '奖励 Bonus'],
        itemsOf(r).map((x) => h('tr', { 'data-testid': 'rank-row' }, h('td.num', x.rank), h('td', x.memberId), h('td.num', x.correct), h('td', fmt.time(x.answeredAt)), h('td.num', x.bonus ? fmt.points(x.bonus) : '—'))))
        : empty('还没有人答题 No answers yet'),
      sv.rankingBonus?.length ? h('button.btn.primary.small', { type: 'button', 'data-permission': 'campaigns-write', onclick: async () => {
        if (confirm('发放排名奖励？Pay the ranking bonus now?') && await attempt('发放 Award', () => api.post(`/admin/surveys/${encodeURIComponent(sv.id)}/award`), '已发放 Paid')) showRanking(sv);
      } }, '发放排名奖励 Pay ranking bonus') : null);
      applyPermissions(ranking);
    } catch (e) {
      mount(ranking, problemBox(e));
    }
  };
  const load = async () => {
    try {
      const items = itemsOf(await api.get('/admin/surveys', { pageSize: 100 }));
      mount(list, items.length ? table(['标题 Title', '类型 Kind', '题数 Questions', '积分 Points', '参与 Answers', '时间 Window', ''],
        items.map((sv) => h('tr', { 'data-testid': 'survey-row', 'data-survey-id': sv.id },
          h('td', h('strong', sv.title), h('div.muted', sv.id)), h('td', sv.kind === 'quiz' ? '答题 Quiz' : '问卷 Survey'), h('td.num', sv.questions.length),
          h('td.num', fmt.points(sv.points)), h('td.num', fmt.points(sv.answers)),
          h('td', `${sv.startsAt ? fmt.time(sv.startsAt) : '—'} → ${sv.endsAt ? fmt.time(sv.endsAt) : '—'}`),
          h('td', h('div.row', h('button.btn.small', { type: 'button', 'data-permission': 'campaigns-write', onclick: () => save(sv) }, '修改 Edit'),
            sv.kind === 'quiz' ? h('button.btn.small', { type: 'button', onclick: () => showRanking(sv) }, '排名 Ranking') : null))))) : empty('暂无问卷 No surveys'));
      applyPermissions(list);
    } catch (e) {
      mount(list, problemBox(e));
    }
  };
  mount(view, h('div.toolbar', h('button.btn.primary', { type: 'button', 'data-permission': 'campaigns-write', 'data-testid': 'new-survey', onclick: () => save(null) },
    '+ 新建 New survey or quiz')), list, ranking);
  await load();
}

const roleOptions = (selected) => Object.entries(ROLE_TEXT).map(([value, text]) => h('option', { value, selected: value === selected }, text));

async function operatorsSection() {
  setTitle('操作员', 'Operators');
  const list = h('div', spinner());
  const load = async () => {
    try {
      const items = itemsOf(await api.get('/admin/operators'));
      mount(list, table(['账号 Login', '姓名 Name', '角色 Role', '状态 State', '创建 Created', ''],
        items.map((o) => h('tr', { 'data-testid': 'operator-row', 'data-login': o.login },
          h('td', h('code', o.login)), h('td', o.displayName),
          h('td', h('select', { 'aria-label': `角色 Role · ${o.login}`, 'data-testid': 'operator-role', onchange: async (e) => {
            if (!await attempt('修改角色 Change role', () => api.put(`/admin/operators/${encodeURIComponent(o.login)}`, { role: e.target.value }), '角色已修改，该操作员需重新登录 Role changed; the operator signs in again')) e.target.value = o.role;
          } }, roleOptions(o.role))),
          h('td', o.disabled ? h('span.badge', '已停用 Disabled') : h('span.badge.ok', '正常 Active')),
          h('td', fmt.time(o.createdAt)),
          h('td.row',
            h('button.btn.small', { type: 'button', 'data-testid': o.disabled ? 'enable-operator' : 'disable-operator', onclick: async () => {
              const action = o.disabled ? 'enable' : 'disable';
              if (await attempt(o.disabled ? '启用 Enable' : '停用 Disable', () => api.post(`/admin/operators/${encodeURIComponent(o.login)}/${action}`), o.disabled ? '已启用 Enabled' : '已停用 Disabled')) load();
            } }, o.disabled ? '启用 Enable' : '停用 Disable'),
            h('button.btn.small', { type: 'button', onclick: async () => {
              const data = await dialog(`重置密码 Reset password · ${o.login}`, field('新密码 New password', h('input', { name: 'password', type: 'password', minlength: 8, maxlength: 128, required: true, autocomplete: 'new-password' })), { submitLabel: '重置 Reset' });
              if (data) await attempt('重置密码 Reset password', () => api.post(`/admin/operators/${encodeURIComponent(o.login)}/password`, { password: data.get('password') }), '密码已重置 Password reset');
            } }, '重置密码 Reset password')))), { 'data-testid': 'operators-table' }));
    } catch (e) {
      mount(list, problemBox(e));
    }
  };
  mount(view, h('div.toolbar', h('button.btn.primary', { type: 'button', 'data-testid': 'new-operator', onclick: async () => {
    const data = await dialog('新建操作员 New operator', h('div.form-grid',
      field('账号 Login', h('input', { name: 'login', required: true, pattern: '[a-z][a-z0-9._\\-]{2,31}', maxlength: 32, autocomplete: 'off', 'data-testid': 'operator-login' }), '小写字母开头 3–32 位 Lowercase, 3–32 characters'),
      field('姓名 Name', h('input', { name: 'displayName', maxlength: 50 })),
      field('角色 Role', h('select', { name: 'role', required: true, 'data-testid': 'operator-new-role' }, roleOptions('merchandiser'))),
      field('初始密码 First password', h('input', { name: 'password', type: 'password', minlength: 8, maxlength: 128, required: true, autocomplete: 'new-password', 'data-testid': 'operator-password' }))), { submitLabel: '创建 Create' });
    if (!data) return;
    if (await attempt('创建 Create', () => api.post('/admin/operators', Object.fromEntries(data)), '操作员已创建 Operator created')) load();
  } }, '+ 新建操作员 New operator')), list);
  await load();
}

async function auditSection(_p, query) {
  setTitle('审计日志', 'Audit log');
  const list = h('div', spinner());
  const filters = h('form.toolbar', { 'data-testid': 'audit-filters' },
    h('input', { name: 'operator', placeholder: '操作员 Operator login', value: query.get('operator') ?? '', 'aria-label': '操作员 Operator' }),
    h('input', { name: 'action', placeholder: '操作 Action (e.g. UpdateProduct)', value: query.get('action') ?? '', 'aria-label': '操作 Action' }),
    h('input', { name: 'q', placeholder: '目标或路径 Target or path', value: query.get('q') ?? '', 'aria-label': '目标 Target' }),
    h('button.btn', { type: 'submit' }, '查询 Search'));
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    const params = new URLSearchParams([...new FormData(filters)].filter(([, v]) => String(v).trim() !== ''));
    go(`/admin/audit${params.size ? `?${params}` : ''}`);
  });
  const json = (text) => (text ? h('pre.audit-json', text) : h('span.muted', '—'));
  try {
    const data = await api.get('/admin/audit', { operator: query.get('operator'), action: query.get('action'), q: query.get('q'), pageSize: 50 });
    const items = itemsOf(data);
    mount(list, items.length ? table(['时间 Time', '操作员 Operator', '操作 Action', '目标 Target', h('th.num', '状态 Status'), '来源 Address', '变更 Change'],
      items.map((a) => h('tr', { 'data-testid': 'audit-row', 'data-action': a.action },
        h('td', fmt.time(a.at)), h('td', h('code', a.operator), h('div.muted', h('small', ROLE_TEXT[a.role] ?? a.role))),
        h('td', a.action, h('div.muted', h('small', `${a.method} ${a.path}`))), h('td', a.target || '—'),
        h('td.num', a.status < 400 ? h('span.badge.ok', a.status) : h('span.badge', a.status)), h('td', a.clientAddress ?? '—'),
        h('td', h('details', h('summary', '前 → 后 Before → after'),
          h('div.muted', '请求 Request'), json(a.request), h('div.muted', '之前 Before'), json(a.before), h('div.muted', '之后 After'), json(a.after))))),
      { 'data-testid': 'audit-table' }) : empty('没有记录 No entries'));
  } catch (e) {
    mount(list, problemBox(e));
  }
  mount(view, filters, list);
}

async function accountSection() {
  setTitle('我的账号', 'My account');
  const error = h('div');
  const form = h('form.card.stack', { 'data-testid': 'password-form' },
    h('p', `${me?.displayName ?? ''} · `, h('code', me?.login ?? ''), ` · ${ROLE_TEXT[me?.role] ?? me?.role ?? ''}`),
    h('p.muted', `可执行 Permissions: ${(me?.permissions ?? []).join(', ')}`),
    field('当前密码 Current password', h('input', { name: 'currentPassword', type: 'password', required: true, autocomplete: 'current-password' })),
    field('新密码 New password', h('input', { name: 'newPassword', type: 'password', minlength: 8, maxlength: 128, required: true, autocomplete: 'new-password' })),
    error,
    h('button.btn.primary', { type: 'submit' }, '修改密码 Change password'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    mount(error);
    try {
      await api.post('/admin/me/password', Object.fromEntries(new FormData(form)));
      // Every session of the operator ended, this one too: sign in with the new password.
      toast('密码已修改，请重新登录 Password changed; sign in again', 'ok');
      me = null;
      await api.logout();
      go('/admin/login');
    } catch (err) {
      mount(error, problemBox(err, 'password-error'));
    }
  });
  mount(view, form);
}

function loginSection() {
  setTitle('管理员登录', 'Operator sign-in');
  document.getElementById('side').classList.add('hidden');
  const error = h('div');
  const form = h('form.card.stack.auth', { 'data-testid': 'admin-login-form' },
    h('h2', '登录管理后台', h('span.en', 'Sign in to the console')),
    field('账号 Login', h('input', { name: 'login', required: true, value: 'admin', autocomplete: 'username' })),
    field('密码 Password', h('input', { name: 'password', type: 'password', required: true, autocomplete: 'current-password' })),
    error,
    h('button.btn.primary.block', { type: 'submit' }, '登录 Sign in'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    mount(error);
    try {
      me = null;
      await api.login(String(data.get('login')).trim(), data.get('password'));
      document.getElementById('side').classList.remove('hidden');
      const next = new URLSearchParams(location.search).get('next');
      go(next && next.startsWith('/admin') ? next : '/admin', { replace: true });
    } catch (err) {
      mount(error, problemBox(err, 'auth-error'));
    }
  });
  mount(view, form);
}

// ---------- router ----------
const sections = {
  '': dashboard,
  analytics: analyticsSection,
  products: productsSection,
  sections: sectionsSection,
  alerts: alertsSection,
  orders: ordersSection,
  members: membersSection,
  rules: rulesSection,
  campaigns: campaignsSection,
  lotteries: lotteriesSection,
  announcements: announcementsSection,
  coupons: couponsSection,
  surveys: surveysSection,
  packing: packingSection,
  operators: operatorsSection,
  audit: auditSection,
  account: accountSection,
};

/** Which section needs which permission (beyond reading the console, which every role may). */
const SECTION_PERMISSION = { members: 'members-read', operators: 'operators-manage', audit: 'audit-read' };

async function render() {
  const path = location.pathname.replace(/\/+$/, '');
  const name = path.replace(/^\/admin\/?/, '').split('/')[0];
  document.getElementById('logout').classList.toggle('hidden', !api.signedIn);
  if (api.signedIn && name !== 'login' && !me) {
    try { me = await api.get('/admin/me'); } catch { me = null; }
  }
  const who = document.getElementById('who');
  mount(who, api.signedIn && me ? h('a', { href: '/admin/account', 'data-link': true, 'data-testid': 'who' }, `${me.displayName} · ${ROLE_TEXT[me.role] ?? me.role}`) : '');
  if (name === 'login' || !api.signedIn) {
    if (name !== 'login') {
      history.replaceState(null, '', `/admin/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    }
    loginSection();
    return;
  }
  document.getElementById('side').classList.remove('hidden');
  for (const a of document.querySelectorAll('#admin-nav a')) a.classList.toggle('active', a.dataset.section === (name || 'dashboard'));
  const section = sections[name];
  if (!section) {
    mount(view, empty('页面不存在 Page not found'));
    return;
  }
  if (SECTION_PERMISSION[name] && !can(SECTION_PERMISSION[name])) {
    mount(view, empty('你的角色无权查看此页 Your role may not open this page'));
    return;
  }
  try {
    await section({}, new URLSearchParams(location.search));
  } catch (e) {
    mount(view, problemBox(e));
  }
}

function go(url, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
}

document.addEventListener('click', (e) => {
  const a = e.target.closest('a[data-link]');
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  go(a.getAttribute('href'));
});
window.addEventListener('popstate', render);
// The Orleans Dashboard cannot send the console's bearer token, so the token buys a cookie that only /dashboard
// accepts; the dashboard opens in this tab and Back returns to the console.
document.getElementById('cluster-dashboard').addEventListener('click', async (e) => {
  if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  try {
    await api.post('/admin/dashboard/session');
    location.assign('/dashboard/');
  } catch (error) {
    const off = error instanceof ApiError && error.status === 404;
    toast(off ? '集群看板未开启 The dashboard is off (Dashboard:Enabled)' : `集群看板 Dashboard: ${error instanceof ApiError ? error.friendly : error}`, 'error');
  }
});
document.getElementById('logout').addEventListener('click', async () => {
  if (api.signedIn) {
    try { await api.del('/admin/dashboard/session'); } catch { /* the dashboard may be off; signing out goes on */ }
  }
  me = null;
  api.logout();
  go('/admin/login');
});
render();
