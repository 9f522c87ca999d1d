// 积分商城 Points Mall: the shopper single-page app (history routing, ES modules, no build step).
import { ApiError, createClient, itemsOf, newIdempotencyKey, tokenStore } from './api.js';
import { CATEGORY_TEXT, EXPIRY_TEXT, STATUS_TEXT, TASK_TEXT, dialog, empty, field, fmt, h, mount, pick, spinner, statusBadge, toast } from './ui.js';

const store = tokenStore('pointsmall.member', localStorage);
const api = createClient(store, () => {
  if (!location.pathname.startsWith('/login') && !location.pathname.startsWith('/register')) {
    go(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
  }
});
const app = document.getElementById('app');

/** Timers and pollers of the current page; cleared on navigation. */
let pageTimers = [];
function every(ms, fn) { pageTimers.push(setInterval(fn, ms)); }
function clearPageTimers() { pageTimers.forEach(clearInterval); pageTimers = []; }

// ---------- product field access (tolerant of the API's exact names) ----------
const P = {
  id: (p) => pick(p, 'id', 'productId'),
  name: (p) => pick(p, 'name') ?? '',
  points: (p) => Number(pick(p, 'pointsPrice', 'price.points', 'points') ?? 0),
  cashFen: (p) => {
    const fen = pick(p, 'cashFen', 'price.cashFen', 'cashPriceFen');
    if (fen !== undefined) return Number(fen);
    const yuan = pick(p, 'cashPrice');
    return yuan === undefined ? 0 : Math.round(Number(yuan) * 100);
  },
  available: (p) => pick(p, 'available', 'stock.available', 'remaining'),
  total: (p) => pick(p, 'total', 'stock.total', 'initialStock'),
  category: (p) => pick(p, 'category') ?? '',
  image: (p) => pick(p, 'image', 'images.0'),
  flashStart: (p) => pick(p, 'flashStartsAt', 'flash.startsAt', 'startsAt'),
  endsAt: (p) => pick(p, 'endsAt', 'onShelfUntil'),
  isFlash: (p) => Boolean(pick(p, 'isFlashSale', 'flash') ?? pick(p, 'flashStartsAt')),
  limit: (p) => pick(p, 'perMemberLimit', 'flash.perMemberLimit', 'effectivePerMemberLimit'),
  tier: (p) => pick(p, 'requiredTier'),
};

/** Placeholder artwork per category (inline SVG: no image files, no emoji font needed). */
const ART = {
  Physical: '<path d="M4 10h16v10H4zM3 7h18v3H3zM12 7v13M12 7c-2-4-7-4-6-1 .5 1.5 3 1 6 1 3 0 5.5.5 6-1 1-3-4-3-6 1"/>',
  Virtual: '<path d="M3 8a2 2 0 0 0 0 4v4h18v-4a2 2 0 0 1 0-4V4H3zM14 4v16" stroke-dasharray="2 2"/>',
  Service: '<path d="M4 18h16M6 18a6 6 0 0 1 12 0M12 8v2M10 8h4"/>',
};
function art(category) {
  const holder = document.createElement('span');
  holder.innerHTML = `<svg viewBox="0 0 24 24" aria-hidden="true">${ART[category] ?? ART.Physical}</svg>`;
  return [holder.firstChild, h('span.cat', CATEGORY_TEXT[category] ?? '')];
}

function priceText(p, qty = 1) {
  const cash = P.cashFen(p) * qty;
  // During a limited-time discount the price fields are the discounted ones; the regular price is shown struck out.
  const regular = p.regularPointsPrice;
  return h('span.price', { 'data-testid': 'price' }, `${fmt.points(P.points(p) * qty)}`, h('small', ' 积分 pts'), cash ? h('small', ` + ${fmt.yuan(cash)}`) : null,
    regular != null ? h('s.muted', { 'data-testid': 'regular-price' }, ` ${fmt.points(regular * qty)}`) : null);
}

function thumb(p, badge) {
  const img = P.image(p);
  return h('div.thumb', img ? h('img', { src: img, alt: P.name(p), loading: 'lazy' }) : art(P.category(p)), badge);
}

function productCard(p) {
  const available = P.available(p);
  const soldOut = available !== undefined && Number(available) <= 0;
  return h('a.product-card', { href: `/products/${encodeURIComponent(P.id(p))}`, 'data-link': true, 'data-testid': 'product-card', 'data-product-id': P.id(p) },
    thumb(p, soldOut ? h('span.badge', '已售罄 Sold out') : P.isFlash(p) ? h('span.badge.hot', '限时 Flash')
      : p.regularPointsPrice != null ? h('span.badge.hot', { 'data-testid': 'sale-badge' }, '限时折扣 Sale') : null),
    h('div.body',
      h('div.name', P.name(p)),
      priceText(p),
      available !== undefined ? h('small.muted', `库存 Stock ${fmt.points(available)}`) : null));
}

// ---------- header: account chip ----------
let me = null;
async function refreshMe() {
  const chip = document.getElementById('account-chip');
  if (!api.signedIn) {
    me = null;
    chip.textContent = '登录 Sign in';
    chip.href = '/login';
    return null;
  }
  try {
    me = await api.request('GET', '/me', { redirectOn401: false });
    chip.textContent = `${fmt.points(me.balance)} 积分 pts`;
    chip.href = '/me';
    chip.dataset.balance = me.balance;
  } catch (e) {
    // An expired session just shows the sign-in chip; pages that need a member redirect on their own.
    if (e instanceof ApiError && e.status === 401) {
      me = null;
      chip.textContent = '登录 Sign in';
      chip.href = '/login';
    } else {
      chip.textContent = '我的 Me';
    }
  }
  return me;
}

function requireLogin() {
  if (api.signedIn) return true;
  go(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
  return false;
}

function problemBox(error, testid = 'problem') {
  const code = error instanceof ApiError ? error.code : 'error';
  const message = error instanceof ApiError ? error.friendly : String(error?.message ?? error);
  return h('div.alert', { role: 'alert', 'data-testid': testid, 'data-code': code }, message);
}

// ---------- pages ----------
async function homePage(_params, query) {
  const category = query.get('category') ?? '';
  const section = query.get('section') ?? '';
  const sort = query.get('sort') ?? '';
  const hero = h('section.hero',
    h('div',
      h('h1', '积分兑换商城', h('span.en', 'Points Mall')),
      h('p.muted', '用积分兑换好物 · 每日签到领积分 · 限时抢兑 Redeem points for rewards, sign in daily, catch flash drops')),
    me
      ? h('div', h('div.muted', '我的积分 My points'), h('div.points', { 'data-testid': 'hero-balance' }, fmt.points(me.balance)),
        h('span.badge.tier', me.tier ?? ''))
      : h('a.btn.primary', { href: '/login', 'data-link': true }, '登录 / 注册 Sign in'));

  const chips = h('div.chips', { role: 'tablist', 'aria-label': '分类 Categories' },
    [['', '全部 All'], ...Object.entries(CATEGORY_TEXT)].map(([value, label]) =>
      h(`button.chip${value === category ? '.active' : ''}`, { type: 'button', onclick: () => go(value ? `/?category=${value}` : '/') }, label)));

  // The operators' sections (数码, 家居, …), when they keep any; shown above the goods' kinds.
  const sectionChips = h('div.chips.hidden', { role: 'tablist', 'aria-label': '分区 Sections', 'data-testid': 'section-chips' });
  api.request('GET', '/sections', { auth: false }).then((sections) => {
    if (!sections?.length) return;
    mount(sectionChips, [{ id: '', name: '全部分区 All sections' }, ...sections].map((s) =>
      h(`button.chip${s.id === section ? '.active' : ''}`, { type: 'button', 'data-section-id': s.id, onclick: () => go(s.id ? `/?section=${encodeURIComponent(s.id)}` : '/') }, s.name)));
    sectionChips.classList.remove('hidden');
  }).catch(() => { /* the sections are a convenience; the page works without them */ });

  const sorter = h('select', { 'aria-label': '排序 Sort', onchange: (e) => go(`/?${new URLSearchParams({ ...(category && { category }), ...(section && { section }), ...(e.target.value && { sort: e.target.value }) })}`) },
    [['', '推荐 Recommended'], ['points_asc', '积分从低到高 Points ↑'], ['points_desc', '积分从高到低 Points ↓'], ['newest', '最新 Newest']]
      .map(([v, l]) => h('option', { value: v, selected: v === sort }, l)));

  const flashHost = h('div.flash-strip', { 'data-testid': 'flash-strip' }, spinner());
  const flashSection = h('section',
    h('div.section-title', h('h2', '限时抢兑', h('span.en', 'Flash drops')), h('small.muted', '库存实时更新 Live stock')),
    flashHost);
  const gridHost = h('div.grid', { 'data-testid': 'product-grid' }, spinner());
  const featuredHost = h('div.grid', { 'data-testid': 'featured-grid' });
  const featuredSection = h('section.hidden', h('div.section-title', h('h2', '精选推荐', h('span.en', 'Featured'))), featuredHost);
  const popularHost = h('div.grid', { 'data-testid': 'popular-grid' });
  const popularSection = h('section.hidden', h('div.section-title', h('h2', '热门兑换', h('span.en', 'Popular now')), h('small.muted', '按近期浏览与兑换 By recent views and redemptions')), popularHost);
  const forYouHost = h('div.grid', { 'data-testid': 'for-you-grid' });
  const forYouSection = h('section.hidden', h('div.section-title', h('h2', '为你推荐', h('span.en', 'For you')), h('small.muted', '看过这些的人也看了 Shoppers who looked at yours also chose')), forYouHost);

  mount(app, hero, h('div.section-title', h('h2', '分类', h('span.en', 'Categories')), sorter), sectionChips, chips, flashSection,
    forYouSection, popularSection, featuredSection, h('div.section-title', h('h2', '全部商品', h('span.en', 'All products'))), gridHost);

  startFlashBoard(flashHost, flashSection);
  if (!category && !section) {
    api.request('GET', '/products', { auth: false, query: { featured: true, sort: 'recommended', pageSize: 8 } }).then((page) => {
      const items = itemsOf(page);
      if (!items.length) return;
      mount(featuredHost, items.map(productCard));
      featuredSection.classList.remove('hidden');
    }).catch(() => { /* the featured strip is optional */ });
    api.request('GET', '/products/popular', { auth: false, query: { limit: 4 } }).then((popular) => {
      const items = itemsOf(popular);
      if (!items.length) return;
      mount(popularHost, items.map(productCard));
      popularSection.classList.remove('hidden');
    }).catch(() => { /* so is the popular one */ });
    if (api.signedIn) {
      api.get('/me/recommendations', { limit: 4 }).then((forYou) => {
        const items = itemsOf(forYou);
        if (!items.length || forYou.source !== 'for_you') return;
        mount(forYouHost, items.map(productCard));
        forYouSection.classList.remove('hidden');
      }).catch(() => { /* and "for you" */ });
    }
  }
  try {
    const page = await api.get('/products', { category, section, sort: sort || 'recommended', pageSize: 48 });
    const items = itemsOf(page);
    mount(gridHost, items.length ? items.map(productCard) : empty('暂无商品 No products yet'));
  } catch (e) {
    mount(gridHost, problemBox(e));
  }
}

/** Flash drops with a live stock counter (polled every 2 s) and countdowns to the drop (ticked every second). */
function startFlashBoard(host, section) {
  let drops = [];
  let skew = 0;
  /** The highest stock seen per drop: the bar shows what is left of it. */
  const peak = new Map();
  const render = () => {
    if (!drops.length) {
      section.classList.add('hidden');
      return;
    }
    section.classList.remove('hidden');
    mount(host, drops.map((p) => {
      const id = P.id(p);
      return h('a.flash-card', { href: `/products/${encodeURIComponent(id)}`, 'data-link': true, 'data-testid': 'flash-card', 'data-product-id': id },
        h('div.spread', h('strong', P.name(p)), h('span.badge.hot', '限时 Flash')),
        priceText(p),
        h('div.countdown', { 'data-countdown-for': id }),
        h('div.stockbar', h('span', { 'data-stockbar-for': id })),
        h('small.live-stock', { 'data-stock-for': id }));
    }));
    update();
  };
  const update = () => {
    const now = Date.now() + skew;
    for (const p of drops) {
      const id = P.id(p);
      const start = P.flashStart(p) ? Date.parse(P.flashStart(p)) : NaN;
      const end = P.endsAt(p) ? Date.parse(P.endsAt(p)) : NaN;
      const cd = host.querySelector(`[data-countdown-for="${CSS.escape(id)}"]`);
      if (cd) {
        cd.textContent = start > now ? `距开抢 Starts in ${fmt.countdown(start - now)}`
          : end > now ? `距结束 Ends in ${fmt.countdown(end - now)}` : '抢兑中 Live now';
      }
      const available = Number(P.available(p) ?? 0);
      const total = Math.max(peak.get(id) ?? 0, available, 1);
      const s = host.querySelector(`[data-stock-for="${CSS.escape(id)}"]`);
      if (s) s.textContent = available > 0 ? `剩余 ${fmt.points(available)} 件 Left` : '已抢光 Sold out';
      const bar = host.querySelector(`[data-stockbar-for="${CSS.escape(id)}"]`);
      if (bar) bar.style.width = `${Math.min(100, (available / total) * 100)}%`;
    }
  };
  const poll = async () => {
    try {
      const flash = await api.request('GET', '/products/flash', { auth: false });
      // Countdowns follow the server's clock, not the device's.
      if (flash?.serverTime) skew = Date.parse(flash.serverTime) - Date.now();
      const fresh = Array.isArray(flash) ? flash : [...(flash?.current ?? []), ...(flash?.upcoming ?? []), ...(flash?.items ?? [])];
      for (const p of fresh) {
        const id = P.id(p);
        peak.set(id, Math.max(peak.get(id) ?? 0, Number(P.available(p) ?? 0), Number(P.total(p) ?? 0)));
      }
      const sameSet = fresh.length === drops.length && fresh.every((p, i) => P.id(p) === P.id(drops[i]));
      drops = fresh;
      if (sameSet && host.querySelector('[data-testid="flash-card"]')) update();
      else render();
    } catch {
      if (!drops.length) section.classList.add('hidden');
    }
  };
  poll();
  every(2000, poll);
  every(1000, update);
}

async function searchPage(_params, query) {
  const q = query.get('q') ?? '';
  document.getElementById('search-input').value = q;
  const grid = h('div.grid', { 'data-testid': 'search-results' }, spinner());
  mount(app, h('h1', `搜索 “${q}”`, h('span.en', 'Search results')), grid);
  try {
    const items = itemsOf(await api.get('/products', { q, pageSize: 48 }));
    mount(grid, items.length ? items.map(productCard) : empty('没有找到相关商品 Nothing matched'));
  } catch (e) {
    mount(grid, problemBox(e));
  }
}

async function productPage({ id }) {
  mount(app, spinner());
  let p;
  try {
    p = await api.get(`/products/${encodeURIComponent(id)}`);
  } catch (e) {
    mount(app, problemBox(e));
    return;
  }
  let qty = 1;
  let payment = 'points';
  /** The key of the attempt in flight: a retry after a network failure reuses it, a new click gets a new one. */
  let pendingKey = null;
  const hasCash = P.cashFen(p) > 0;
  if (hasCash) payment = 'points_cash';

  const totalHost = h('div', priceText(p, qty));
  const stockHost = h('div.muted.live-stock', { 'data-testid': 'product-stock' });
  const result = h('div', { 'aria-live': 'polite' });
  const qtyInput = h('input', { type: 'number', min: 1, max: 99, value: 1, 'aria-label': '数量 Quantity', 'data-testid': 'quantity',
    oninput: (e) => { qty = Math.max(1, Math.min(99, Number(e.target.value) || 1)); offerCoupons(); } });
  const step = (d) => { qty = Math.max(1, Math.min(99, qty + d)); qtyInput.value = qty; offerCoupons(); };
  const addressSelect = h('select', { 'aria-label': '收货地址 Address', 'data-testid': 'address' });
  const addressField = field('收货地址 Shipping address', addressSelect);
  addressField.classList.add('hidden');
  const redeemButton = h('button.btn.primary.block', { type: 'button', 'data-testid': 'redeem' }, '立即兑换 Redeem');
  /** The member's usable coupons; the select offers those this order meets (category, minimum points). */
  let coupons = [];
  const couponSelect = h('select', { 'aria-label': '优惠券 Coupon', 'data-testid': 'coupon', onchange: () => showTotal() });
  const couponField = field('优惠券 Coupon', couponSelect);
  couponField.classList.add('hidden');
  const orderPoints = () => P.points(p) * qty;
  const applies = (c) => (!c.category || c.category === P.category(p)) && orderPoints() > 0 && orderPoints() >= c.minPoints;
  function showTotal() {
    const chosen = coupons.find((c) => c.id === couponSelect.value);
    const discount = chosen ? Math.min(chosen.facePoints, orderPoints()) : 0;
    mount(totalHost, discount
      ? h('span.price', { 'data-testid': 'total-after-coupon' }, fmt.points(orderPoints() - discount), h('small', ' 积分 pts'),
        P.cashFen(p) ? h('small', ` + ${fmt.yuan(P.cashFen(p) * qty)}`) : null, h('small.muted', ` (券 coupon −${fmt.points(discount)})`))
      : priceText(p, qty));
  }
  function offerCoupons() {
    const usable = coupons.filter(applies);
    const kept = couponSelect.value;
    mount(couponSelect, h('option', { value: '' }, usable.length ? '不使用 No coupon' : '无可用券 None usable'),
      usable.map((c) => h('option', { value: c.id, selected: c.id === kept }, `${c.name} −${fmt.points(c.facePoints)}`)));
    couponField.classList.toggle('hidden', coupons.length === 0);
    showTotal();
  }
  async function loadCoupons() {
    if (!api.signedIn || P.points(p) <= 0) return;
    try {
      coupons = itemsOf(await api.get('/me/coupons')).filter((c) => c.status === 'usable');
      offerCoupons();
    } catch {
      // Coupons are optional: the redemption works without them.
    }
  }

  const showStock = (product) => {
    const available = P.available(product);
    if (available === undefined) return;
    stockHost.textContent = Number(available) > 0 ? `库存 In stock: ${fmt.points(available)}` : '已售罄 Sold out';
    stockHost.dataset.available = available;
  };
  showStock(p);

  async function loadAddresses() {
    if (!api.signedIn || P.category(p) !== 'Physical') return;
    try {
      const list = itemsOf(await api.get('/me/addresses'));
      mount(addressSelect, list.map((a) => h('option', { value: a.id, selected: a.isDefault }, `${a.recipient} ${a.phone} ${a.region} ${a.detail}`)),
        h('option', { value: '__new' }, '+ 新增地址 Add address'));
      addressField.classList.remove('hidden');
      addressSelect.onchange = async () => {
        if (addressSelect.value === '__new') {
          await addAddressDialog();
          await loadAddresses();
        }
      };
    } catch {
      // Addresses are optional for the redemption itself; the server says if one is needed.
    }
  }

  async function redeem() {
    if (!requireLogin()) return;
    // Physical goods ship somewhere: a shopper without an address adds one first rather than meet a refusal.
    if (P.category(p) === 'Physical' && !addressSelect.querySelector('option:not([value="__new"])')) {
      if (!(await addAddressDialog())) return;
      await loadAddresses();
    }
    const key = pendingKey ?? newIdempotencyKey('redeem');
    pendingKey = key;
    redeemButton.disabled = true;
    redeemButton.textContent = '兑换中… Redeeming…';
    mount(result);
    try {
      const body = { productId: P.id(p), quantity: qty, payment };
      if (!addressField.classList.contains('hidden') && addressSelect.value && addressSelect.value !== '__new') body.addressId = addressSelect.value;
      if (couponSelect.value) body.couponId = couponSelect.value;
      const order = await api.post('/redemptions', body, { 'Idempotency-Key': key });
      pendingKey = null;
      const orderId = pick(order, 'orderId', 'id');
      mount(result, h('div.alert.ok', { 'data-testid': 'redeem-ok', 'data-order-id': orderId }, '兑换成功！Redeemed! ', h('a', { href: `/orders/${orderId}`, 'data-link': true }, '查看订单 View order →')));
      toast('兑换成功 Redeemed', 'ok');
      refreshMe();
      await loadCoupons();
      try { showStock(await api.get(`/products/${encodeURIComponent(id)}`)); } catch { /* the counter catches up on the next poll */ }
    } catch (e) {
      const transient = e instanceof ApiError && [0, 502, 503, 504].includes(e.status);
      if (!transient) pendingKey = null;
      mount(result, problemBox(e, 'redeem-error'), transient ? h('p.muted', '可安全重试，不会重复下单 Safe to retry: the same request is reused, never a second order') : null);
    } finally {
      redeemButton.disabled = false;
      redeemButton.textContent = pendingKey ? '重试 Retry' : '立即兑换 Redeem';
    }
  }
  redeemButton.addEventListener('click', redeem);

  const tier = P.tier(p);
  const limit = P.limit(p);
  const start = P.flashStart(p) ? Date.parse(P.flashStart(p)) : NaN;
  const countdown = h('div.countdown');
  const tick = () => {
    const left = start - Date.now();
    countdown.textContent = left > 0 ? `距开抢 Starts in ${fmt.countdown(left)}` : '';
  };
  tick();

  // Several pictures: the cover large, the rest as thumbnails that swap into it.
  const images = p.images ?? [];
  const cover = thumb(p, P.isFlash(p) ? h('span.badge.hot', '限时 Flash') : null);
  const gallery = h('div.gallery', cover, images.length > 1 ? h('div.thumbs', { 'data-testid': 'product-gallery' }, images.map((src, i) =>
    h('button', { type: 'button', 'aria-label': `图片 Picture ${i + 1}`, onclick: () => { const img = cover.querySelector('img'); if (img) img.src = src; } }, h('img', { src, alt: '' })))) : null);
  const specs = [['品牌 Brand', p.brand], ['规格 Spec', p.spec], ['型号 Model', p.model], ['颜色 Colour', p.colour]].filter(([, v]) => v);

  mount(app,
    h('article.detail',
      gallery,
      h('section.card.buybox',
        h('div', h('span.badge', CATEGORY_TEXT[P.category(p)] ?? P.category(p)), ' ', tier ? h('span.badge.gold', `${tier} 专享 tier only`) : null),
        h('h1', { 'data-testid': 'product-name' }, P.name(p)),
        specs.length ? h('dl.specs', { 'data-testid': 'product-specs' }, specs.map(([k, v]) => [h('dt', k), h('dd', v)])) : null,
        priceText(p),
        countdown,
        stockHost,
        limit ? h('div.muted', `每人限兑 Limit per member: ${limit}`) : null,
        h('div.row', h('span.label', '数量 Qty'),
          h('div.qty', h('button', { type: 'button', onclick: () => step(-1), 'aria-label': '减少 Less' }, '−'), qtyInput, h('button', { type: 'button', onclick: () => step(1), 'aria-label': '增加 More' }, '+'))),
        hasCash ? h('div.seg', { role: 'radiogroup', 'aria-label': '支付方式 Payment' },
          h('label', h('input', { type: 'radio', name: 'payment', value: 'points_cash', checked: true, onchange: () => { payment = 'points_cash'; } }), '积分+现金 Points + cash')) : null,
        addressField,
        couponField,
        h('div.spread', h('span.muted', '合计 Total'), totalHost),
        redeemButton,
        result,
        pick(p, 'description') ? h('div', h('h3', '商品详情 Details'), h('p.muted', p.description)) : null)));

  loadAddresses();
  loadCoupons();
  every(1000, tick);
  // Live stock on the product page too (cheap: one read of the product's own grain).
  every(2000, async () => {
    try { showStock(await api.request('GET', `/products/${encodeURIComponent(id)}`, { auth: false })); } catch { /* keep the last value */ }
  });
}

async function addAddressDialog() {
  const data = await dialog('新增地址 New address', h('div.form-grid',
    field('收件人 Recipient', h('input', { name: 'recipient', required: true, maxlength: 50 })),
    field('手机 Phone', h('input', { name: 'phone', required: true, maxlength: 20, inputmode: 'tel' })),
    field('地区 Region', h('input', { name: 'region', required: true, maxlength: 100, placeholder: '上海市 浦东新区' })),
    field('详细地址 Street address', h('input', { name: 'detail', required: true, maxlength: 200 })),
    h('label.checkbox', h('input', { type: 'checkbox', name: 'isDefault', checked: true }), '设为默认 Default address')), { submitLabel: '保存 Save' });
  if (!data) return null;
  try {
    const saved = await api.post('/me/addresses', {
      recipient: data.get('recipient'), phone: data.get('phone'), region: data.get('region'), detail: data.get('detail'), isDefault: data.get('isDefault') === 'on',
    });
    toast('地址已保存 Address saved', 'ok');
    return saved;
  } catch (e) {
    toast(e instanceof ApiError ? e.friendly : String(e), 'error');
    return null;
  }
}

/** Changes the password (the current one is required); every session ends, so the member signs in again. */
async function changePasswordDialog() {
  const data = await dialog('修改密码 Change password', h('div.form-grid',
    field('当前密码 Current password', h('input', { name: 'currentPassword', type: 'password', required: true, autocomplete: 'current-password', maxlength: 128 })),
    field('新密码 New password', h('input', { name: 'newPassword', type: 'password', required: true, autocomplete: 'new-password', minlength: 8, maxlength: 128 }),
      '至少 8 位 At least 8 characters')), { submitLabel: '修改 Change' });
  if (!data) return;
  try {
    await api.post('/me/password', { currentPassword: data.get('currentPassword'), newPassword: data.get('newPassword') });
  } catch (e) {
    toast(e instanceof ApiError ? e.friendly : String(e), 'error');
    return;
  }
  api.logout();
  await refreshMe();
  toast('密码已修改，请重新登录 Password changed: please sign in again', 'ok');
  go('/login');
}

async function editProfileDialog(m) {
  const data = await dialog('编辑资料 Edit profile', h('div.form-grid',
    field('昵称 Display name', h('input', { name: 'displayName', required: true, maxlength: 50, value: m?.displayName ?? '' })),
    field('性别 Gender', h('select', { name: 'gender' }, [['', '不填 Not given'], ['female', '女 Female'], ['male', '男 Male'], ['other', '其他 Other']]
      .map(([value, text]) => h('option', { value, selected: (m?.gender ?? '') === value }, text)))),
    field('生日 Birthday', h('input', { name: 'birthday', type: 'date', value: m?.birthday ?? '' }), '生日当天赠送积分 A gift of points on your birthday')), { submitLabel: '保存 Save' });
  if (!data) return false;
  try {
    await api.request('PUT', '/me/profile', { body: { displayName: data.get('displayName'), gender: data.get('gender') || undefined, birthday: data.get('birthday') || undefined } });
    toast('已保存 Saved', 'ok');
    return true;
  } catch (e) {
    toast(e instanceof ApiError ? e.friendly : String(e), 'error');
    return false;
  }
}

/** Moves the member to a new phone or e-mail: a code goes there first, and the change takes it. */
async function changeLoginDialog() {
  const first = await dialog('更换手机或邮箱 Change phone or e-mail', h('div.form-grid',
    field('新手机号或邮箱 New phone or e-mail', h('input', { name: 'login', required: true, maxlength: 100, autocomplete: 'username' }))), { submitLabel: '发送验证码 Send code' });
  if (!first) return false;
  const login = String(first.get('login')).trim();
  try {
    await api.post('/me/login/code', { login });
  } catch (e) {
    toast(e instanceof ApiError ? e.friendly : String(e), 'error');
    return false;
  }
  const second = await dialog('输入验证码 Enter the code', h('div.form-grid',
    h('p.muted', `验证码已发送至 A code was sent to ${login}`),
    field('验证码 Code', h('input', { name: 'code', required: true, inputmode: 'numeric', pattern: '[0-9]{6}', maxlength: 6, autocomplete: 'one-time-code' }))), { submitLabel: '确认更换 Change' });
  if (!second) return false;
  try {
    await api.post('/me/login', { login, code: String(second.get('code')).trim() });
    toast('已更换，下次请用新的账号登录 Changed: sign in with the new one from now on', 'ok');
    return true;
  } catch (e) {
    toast(e instanceof ApiError ? e.friendly : String(e), 'error');
    return false;
  }
}

/** Asks which of the member's addresses an order goes to (adding one on the way); the chosen id, or null. */
async function chooseAddressDialog(currentId) {
  let list = itemsOf(await api.get('/me/addresses'));
  if (!list.length) {
    const added = await addAddressDialog();
    return added?.id ?? null;
  }
  const data = await dialog('收货地址 Ship to', h('div.stack', list.map((a, i) => h('label.checkbox', { 'data-testid': 'address-choice' },
    h('input', { type: 'radio', name: 'addressId', value: a.id, checked: currentId ? a.id === currentId : i === 0 }),
    `${a.recipient} ${a.phone} ${a.region} ${a.detail}`))), { submitLabel: '确定 OK' });
  return data?.get('addressId') ?? null;
}

const TRACKING_TEXT = { shipped: '已发货', picked_up: '已揽收', in_transit: '运输中', arrived: '到达城市', out_for_delivery: '派送中', delivered: '已签收' };

/** The parcel's journey as the logistics provider reports it, newest first (as carriers' pages show it). */
async function trackingSection(o) {
  const host = h('section.card', { 'data-testid': 'tracking-events' }, h('h3', '物流跟踪 Tracking'), spinner());
  try {
    const t = await api.get(`/orders/${encodeURIComponent(pick(o, 'id', 'orderId'))}/tracking`);
    mount(host, h('h3', '物流跟踪 Tracking'), h('div.muted', `${t.carrier} ${t.trackingNumber}`),
      t.tracked && t.events.length
        ? h('ol.timeline', [...t.events].reverse().map((e) => h('li', { 'data-status': e.status },
          h('strong', TRACKING_TEXT[e.status] ?? e.status), ` ${e.description}`, h('div.muted', `${fmt.time(e.at)} · ${e.location}`))))
        : empty('该快递暂不支持查询，请凭运单号到快递公司查询 Not tracked here: look the number up with the carrier'));
  } catch (e) {
    mount(host, h('h3', '物流跟踪 Tracking'), problemBox(e));
  }
  return host;
}

const ORDER_TABS = [['', '全部 All'], ['PendingPayment', '待支付 To pay'], ['PendingShipment', '待发货 To ship'], ['Shipped', '已发货 Shipped'], ['Completed', '已完成 Done'], ['Cancelled', '已取消 Cancelled']];

function orderActions(o, reload) {
  const id = pick(o, 'id', 'orderId');
  const act = async (label, fn, okText) => {
    try {
      await fn();
      toast(okText, 'ok');
      refreshMe();
      reload();
    } catch (e) {
      toast(`${label}: ${e instanceof ApiError ? e.friendly : e}`, 'error');
    }
  };
  const buttons = [];
  if (o.status === 'PendingPayment') {
    buttons.push(h('button.btn.primary.small', { type: 'button', 'data-testid': 'pay', onclick: () => act('支付 Pay', () => payOrder(o), '支付成功 Paid') }, `支付 Pay ${fmt.yuan(pick(o, 'cashFen') ?? 0)}`));
  }
  if (o.status === 'PendingPayment' || o.status === 'PendingShipment') {
    buttons.push(h('button.btn.small.danger', { type: 'button', 'data-testid': 'cancel', onclick: () => {
      if (confirm('确定取消订单？积分将退回。Cancel this order? Points are refunded.')) act('取消 Cancel', () => api.post(`/orders/${id}/cancel`, { reason: 'member' }), '订单已取消 Order cancelled');
    } }, '取消订单 Cancel'));
  }
  if (o.ships && (o.status === 'PendingPayment' || o.status === 'PendingShipment')) {
    buttons.push(h('button.btn.small', { type: 'button', 'data-testid': 'change-address', onclick: async () => {
      const addressId = await chooseAddressDialog(o.shippingAddress?.id);
      if (addressId) act('修改地址 Address', () => api.post(`/orders/${id}/address`, { addressId }), '收货地址已修改 Address changed');
    } }, o.shippingAddress ? '修改地址 Change address' : '填写地址 Add address'));
  }
  if (o.status === 'Shipped') {
    buttons.push(h('button.btn.primary.small', { type: 'button', 'data-testid': 'confirm-receipt', onclick: () => act('确认收货 Confirm', () => api.post(`/orders/${id}/confirm-receipt`), '已确认收货 Receipt confirmed') }, '确认收货 Confirm receipt'));
  }
  return buttons;
}

/**
 * Pays the cash part: starts (or resumes) the order's payment, then completes it on the sandbox provider's pay
 * endpoint, which sends the provider's signed callback. A real provider would be a redirect to its page instead.
 */
async function payOrder(o) {
  const session = await api.post(`/orders/${encodeURIComponent(pick(o, 'id', 'orderId'))}/payment`);
  const url = pick(session, 'payUrl') ?? pick(o, 'payUrl');
  if (!url) throw new Error('No payment URL');
  const target = new URL(url, location.origin);
  if (target.origin !== location.origin || !target.pathname.startsWith('/api/v1/')) {
    location.assign(target.href);
    return null;
  }
  return api.request('POST', target.pathname.slice('/api/v1'.length), { query: Object.fromEntries(target.searchParams), auth: false });
}

function orderCard(o, reload) {
  const id = pick(o, 'id', 'orderId');
  return h('article.card.order-card', { 'data-testid': 'order-card', 'data-order-id': id, 'data-status': o.status },
    h('div.spread', h('a', { href: `/orders/${id}`, 'data-link': true }, h('strong', pick(o, 'productName', 'name') ?? id)), statusBadge(o.status)),
    h('div.spread.muted', h('span', `× ${o.quantity ?? 1} · ${fmt.time(pick(o, 'placedAt', 'createdAt'))}`),
      h('span.price', `${fmt.points(pick(o, 'points', 'pointsSpent') ?? 0)} 积分`, pick(o, 'cashFen') ? ` + ${fmt.yuan(o.cashFen)}` : '')),
    o.carrier || o.trackingNumber ? h('div.muted', { 'data-testid': 'tracking' }, `物流 Shipping: ${o.carrier ?? ''} ${o.trackingNumber ?? ''}`) : null,
    o.couponDiscount ? h('div.muted', { 'data-testid': 'order-coupon' }, `优惠券抵扣 Coupon −${fmt.points(o.couponDiscount)} 积分`) : null,
    o.code ? h('div', '兑换码 Code: ', h('code', o.code)) : null,
    o.status === 'Cancelled' && o.cancelReason ? h('div.muted', `原因 Reason: ${o.cancelReason}`) : null,
    h('div.row', orderActions(o, reload)));
}

async function ordersPage(_params, query) {
  if (!requireLogin()) return;
  const status = query.get('status') ?? '';
  const list = h('div.list', { 'data-testid': 'orders' }, spinner());
  const load = async () => {
    try {
      const items = itemsOf(await api.get('/me/orders', { status, pageSize: 50 }));
      mount(list, items.length ? items.map((o) => orderCard(o, load)) : empty('还没有订单，去逛逛吧 No orders yet'));
      list.dataset.loaded = 'true';
    } catch (e) {
      mount(list, problemBox(e));
    }
  };
  mount(app, h('h1', '我的订单', h('span.en', 'My orders')),
    h('div.chips', ORDER_TABS.map(([v, l]) => h(`button.chip${v === status ? '.active' : ''}`, { type: 'button', onclick: () => go(v ? `/orders?status=${v}` : '/orders') }, l))),
    list);
  await load();
}

async function orderPage({ id }) {
  if (!requireLogin()) return;
  const host = h('div.stack', spinner());
  mount(app, h('p', h('a', { href: '/orders', 'data-link': true }, '← 我的订单 My orders')), host);
  const load = async () => {
    try {
      const o = await api.get(`/orders/${encodeURIComponent(id)}`);
      const a = o.shippingAddress;
      mount(host, orderCard(o, load),
        o.ships ? h('section.card', { 'data-testid': 'order-address' }, h('h3', '收货地址 Ships to'),
          a ? h('div', h('strong', `${a.recipient} ${a.phone}`), h('div.muted', `${a.region} ${a.detail}`)) : h('div.alert.warn', '还没有收货地址，请填写后才能发货 No address yet: add one so it can ship')) : null,
        o.carrier ? await trackingSection(o) : null,
        o.history?.length ? h('section.card', h('h3', '订单进度 Progress'),
          h('ol', o.history.map((s) => h('li', `${fmt.time(s.at)} — ${STATUS_TEXT[s.step] ?? s.step}${s.detail ? ` (${s.detail})` : ''}`)))) : null);
    } catch (e) {
      mount(host, problemBox(e));
    }
  };
  await load();
}

async function pointsPage() {
  if (!requireLogin()) return;
  const summary = h('section.hero', spinner());
  const expiring = h('section.card', spinner());
  const ledger = h('div', spinner());
  mount(app, h('h1', '我的积分', h('span.en', 'My points')), summary,
    h('div.section-title', h('h2', '即将过期', h('span.en', 'Expiring soon (30 days)'))), expiring,
    h('div.section-title', h('h2', '积分明细', h('span.en', 'History'))), ledger);

  const m = await refreshMe();
  if (m) {
    const toNext = pick(m, 'pointsToNextTier');
    mount(summary,
      h('div', h('div.muted', '可用积分 Available'), h('div.points', { 'data-testid': 'points-balance' }, fmt.points(m.balance))),
      h('div', h('span.badge.tier', m.tier), m.nextTier ? h('div.muted', `再获 ${fmt.points(toNext)} 积分升级 ${m.nextTier} · ${fmt.points(toNext)} pts to ${m.nextTier}`) : null,
        h('div.muted', `累计获得 Lifetime earned ${fmt.points(m.lifetimeEarned)}`)));
  }
  try {
    const lots = await api.get('/me/points/expiring', { days: 30 });
    const items = itemsOf(lots);
    mount(expiring, items.length
      ? h('div.table-wrap', h('table', h('thead', h('tr', h('th', '积分 Points'), h('th', '来源 Source'), h('th', '获得 Earned'), h('th', '过期 Expires'))),
        h('tbody', items.map((l) => h('tr', h('td.num.minus', fmt.points(pick(l, 'amount', 'remaining'))), h('td', l.source), h('td', fmt.date(l.earnedAt)), h('td', fmt.date(l.expiresAt)))))))
      : empty('30 天内没有积分过期 Nothing expires in the next 30 days'),
      items.length ? h('p.muted', `共 ${fmt.points(lots.total ?? items.reduce((s, l) => s + Number(l.amount ?? 0), 0))} 积分即将过期 points expire soon`) : null);
  } catch (e) {
    mount(expiring, problemBox(e));
  }
  let page = 1;
  const loadLedger = async () => {
    try {
      const data = await api.get('/me/points', { page, pageSize: 20 });
      const items = itemsOf(data);
      const total = data.total ?? items.length;
      mount(ledger, items.length
        ? h('div.table-wrap', h('table', { 'data-testid': 'ledger' },
          h('thead', h('tr', h('th', '时间 Time'), h('th', '说明 Reason'), h('th.num', '变动 Change'), h('th.num', '余额 Balance'))),
          h('tbody', items.map((e) => {
            const amount = Number(e.amount ?? 0);
            return h('tr', h('td', fmt.time(e.at)), h('td', e.reason || e.source || e.kind), h(`td.num.${amount >= 0 ? 'plus' : 'minus'}`, `${amount >= 0 ? '+' : ''}${fmt.points(amount)}`),
              h('td.num', fmt.points(pick(e, 'balanceAfter', 'runningBalance'))));
          }))))
        : empty('暂无积分记录 No points activity yet'),
      total > 20 ? h('div.pager',
        h('button.btn.small', { type: 'button', disabled: page <= 1, onclick: () => { page--; loadLedger(); } }, '上一页 Prev'),
        h('span.muted', `${page} / ${Math.ceil(total / 20)}`),
        h('button.btn.small', { type: 'button', disabled: page * 20 >= total, onclick: () => { page++; loadLedger(); } }, '下一页 Next')) : null);
    } catch (e) {
      mount(ledger, problemBox(e));
    }
  };
  await loadLedger();
}

async function checkinPage() {
  if (!requireLogin()) return;
  const host = h('div.stack', spinner());
  mount(app, h('h1', '每日签到', h('span.en', 'Daily sign-in')), host,
    h('p', h('a', { href: '/tasks', 'data-link': true, 'data-testid': 'more-tasks' }, '更多赚积分方式：问卷、答题、邀请 More ways to earn →')));
  const load = async (justSigned) => {
    let state;
    try {
      state = await api.get('/me/sign-in');
    } catch (e) {
      mount(host, problemBox(e));
      return;
    }
    const days = new Set(state.days ?? []);
    const today = new Date();
    const year = today.getFullYear();
    const month = today.getMonth();
    const first = new Date(year, month, 1);
    const count = new Date(year, month + 1, 0).getDate();
    const pad = (first.getDay() + 6) % 7; // Monday first
    const iso = (d) => `${year}-${String(month + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    const ladder = state.ladder ?? [];
    const streak = Number(state.streak ?? 0);
    const button = h('button.btn.primary', { type: 'button', 'data-testid': 'sign-in', disabled: state.signedInToday, onclick: async () => {
      button.disabled = true;
      try {
        const r = await api.post('/me/sign-in');
        toast(`签到成功 +${fmt.points(r.pointsAwarded)}${r.bonus ? ` (+${fmt.points(r.bonus)} 奖励 bonus)` : ''}`, 'ok');
        refreshMe();
        load(r);
      } catch (e) {
        toast(e instanceof ApiError ? e.friendly : String(e), 'error');
        button.disabled = false;
      }
    } }, state.signedInToday ? '今日已签到 Signed in today' : '签到 Sign in now');
    mount(host,
      h('section.hero', h('div', h('div.muted', '连续签到 Streak'), h('div.points', { 'data-testid': 'streak' }, `${streak} 天 days`)), button),
      justSigned ? h('div.alert.ok', { 'data-testid': 'sign-in-ok', 'data-balance': justSigned.balance }, `签到成功，获得 ${fmt.points(justSigned.pointsAwarded)} 积分 Signed in: +${fmt.points(justSigned.pointsAwarded)} points`, justSigned.bonus ? `, 奖励 bonus +${fmt.points(justSigned.bonus)}` : '') : null,
      ladder.length ? h('section.card', h('h3', '签到奖励 Rewards ladder'),
        h('div.ladder', ladder.map((step, i) => {
          const points = typeof step === 'object' ? pick(step, 'points', 'amount') : step;
          const day = typeof step === 'object' ? pick(step, 'day') ?? i + 1 : i + 1;
          return h(`div${streak >= day ? '.reached' : ''}`, h('div', `第${day}天`), h('strong', `+${points}`));
        }))) : null,
      h('section.card', h('h3', `${year}年${month + 1}月`, h('span.en', today.toLocaleString('en', { month: 'long', year: 'numeric' }))),
        h('div.calendar', { 'data-testid': 'calendar' },
          ['一 Mo', '二 Tu', '三 We', '四 Th', '五 Fr', '六 Sa', '日 Su'].map((d) => h('div.dow', d)),
          Array.from({ length: pad }, () => h('div.day.pad')),
          Array.from({ length: count }, (_, i) => h(`div.day${days.has(iso(i + 1)) ? '.signed' : ''}${i + 1 === today.getDate() ? '.today' : ''}`, String(i + 1))))));
  };
  await load();
}

async function lotteriesPage() {
  const host = h('div.list', spinner());
  mount(app, h('h1', '幸运抽奖', h('span.en', 'Lucky draw')), host);
  try {
    const items = itemsOf(await api.request('GET', '/lotteries', { auth: api.signedIn }));
    mount(host, items.length ? items.map((l) => h('a.card.spread', { href: `/lottery/${encodeURIComponent(l.id)}`, 'data-link': true, 'data-testid': 'lottery-card' },
      h('div', h('strong', l.name), h('div.muted', `每次 ${fmt.points(l.cost)} 积分 per draw`, l.status ? ` · ${l.status}` : '')), h('span.btn.primary.small', '去抽奖 Play'))) : empty('暂无抽奖活动 No lotteries right now'));
  } catch (e) {
    mount(host, problemBox(e));
  }
}

const WHEEL_COLOURS = ['#ff7a45', '#ffd36b', '#ff5a4f', '#ffe3c2', '#f5a623', '#fff1f0', '#e4393c', '#ffc069'];

async function lotteryPage({ id }) {
  mount(app, spinner());
  let lottery;
  try {
    lottery = await api.request('GET', `/lotteries/${encodeURIComponent(id)}`, { auth: api.signedIn });
  } catch (e) {
    mount(app, problemBox(e));
    return;
  }
  const tiers = lottery.tiers ?? pick(lottery, 'table.tiers') ?? [];
  const segments = [...tiers.map((t) => t.name ?? t.prizeName ?? t.tier), '谢谢参与 Try again'];
  const slice = 360 / segments.length;
  const wheel = h('div.wheel', { 'data-testid': 'wheel', style: { background: `conic-gradient(${segments.map((_, i) => `${WHEEL_COLOURS[i % WHEEL_COLOURS.length]} ${i * slice}deg ${(i + 1) * slice}deg`).join(',')})` } },
    segments.map((name, i) => h('span', { style: { position: 'absolute', left: '50%', top: '50%', transform: `rotate(${(i + 0.5) * slice}deg) translate(0, -38%) rotate(0deg)`, transformOrigin: '0 0', fontSize: '.72rem', fontWeight: '700', width: '5.5rem', marginLeft: '-2.75rem', textAlign: 'center', color: '#5a1518' } }, name)));
  let rotation = 0;
  const result = h('div', { 'aria-live': 'polite' });
  const cost = lottery.cost ?? 0;
  const button = h('button.btn.primary', { type: 'button', 'data-testid': 'draw' }, `抽奖 Draw (${fmt.points(cost)} 积分)`);
  button.addEventListener('click', async () => {
    if (!requireLogin()) return;
    button.disabled = true;
    mount(result);
    const key = newIdempotencyKey('draw');
    let outcome;
    let error;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        outcome = await api.post(`/lotteries/${encodeURIComponent(id)}/draws`, {}, { 'Idempotency-Key': key });
        error = null;
        break;
      } catch (e) {
        error = e;
        if (!(e instanceof ApiError && [0, 503].includes(e.status))) break;
      }
    }
    if (error) {
      mount(result, problemBox(error, 'draw-error'));
      button.disabled = false;
      return;
    }
    const prize = outcome.won ? (outcome.prizeName ?? outcome.tierName ?? String(outcome.tier)) : null;
    const tierIndex = tiers.findIndex((t) => (outcome.tierId && t.id === outcome.tierId) || t.name === outcome.tierName);
    const index = outcome.won ? Math.max(0, tierIndex) : segments.length - 1;
    rotation += 360 * 5 + (360 - rotation % 360) + (360 - (index + 0.5) * slice);
    wheel.style.transform = `rotate(${rotation}deg)`;
    await new Promise((resolve) => {
      const done = () => { wheel.removeEventListener('transitionend', done); resolve(); };
      wheel.addEventListener('transitionend', done);
      setTimeout(done, 2600); // In case the transition does not run (reduced motion, hidden tab).
    });
    mount(result, h(`div.draw-result${outcome.won ? '.alert.ok' : '.alert.info'}`, { 'data-testid': 'draw-result', 'data-won': String(Boolean(outcome.won)) },
      outcome.won ? `恭喜获得 ${prize}！You won ${prize}!` : '谢谢参与，再接再厉 No prize this time',
      outcome.orderId ? h('div', h('a', { href: `/orders/${outcome.orderId}`, 'data-link': true }, '查看奖品订单 View prize order →')) : null));
    refreshMe();
    button.disabled = false;
  });
  mount(app,
    h('h1', lottery.name),
    h('div.wheel-wrap', h('div.wheel-pointer'), wheel, button, result),
    h('section.card', h('h3', '奖品 Prizes'), h('div.table-wrap', h('table',
      h('thead', h('tr', h('th', '奖项 Prize'), h('th.num', '概率 Chance'), h('th.num', '剩余 Left'))),
      h('tbody', tiers.map((t) => h('tr', h('td', t.name ?? t.prizeName ?? t.tier, t.bonusPoints ? h('div.muted', `+${fmt.points(t.bonusPoints)} 积分 points`) : null),
        h('td.num', t.probability !== undefined ? `${(Number(t.probability) * 100).toFixed(2)}%` : '—'), h('td.num', t.remaining ?? '—'))))))),
    h('section.card.stack', { 'data-testid': 'fairness' }, h('h3', '公平可验证 Provably fair'),
      lottery.dailyDrawLimit ? h('div', `每人每天最多 ${lottery.dailyDrawLimit} 次 At most ${lottery.dailyDrawLimit} draws per member per day`) : null,
      h('div.muted', '每次抽奖的结果由开奖前就已承诺的种子决定；活动结束后公开种子，任何人都能重算。Every draw follows from a seed committed to before the first draw; the seed is published when the lottery ends, so anyone can recompute every draw.'),
      h('div', '种子承诺 Seed commitment (SHA-256): ', h('code.wrap', lottery.seedHash ?? '—')),
      lottery.seed ? h('div', '种子 Seed: ', h('code.wrap', { 'data-testid': 'seed' }, lottery.seed)) : null,
      h('a.btn.small', { href: `/lottery/${encodeURIComponent(id)}/verify`, 'data-link': true, 'data-testid': 'verify-link' }, '验证抽奖 Verify draws')),
    api.signedIn ? await myDrawsCard(id) : null);
}

/** A draw's row in the member's history, with its number and a link to check it. */
function drawRow(d) {
  const verify = `/lottery/${encodeURIComponent(d.lotteryId)}/verify?number=${d.drawNumber}&value=${d.randomValue ?? ''}&version=${d.tableVersion ?? ''}`;
  return h('tr', { 'data-testid': 'my-draw' },
    h('td', fmt.time(d.at)), h('td', d.lotteryName ?? d.lotteryId),
    h('td', d.won ? h('span.badge.ok', d.prizeName ?? d.tierName ?? `#${d.tier}`) : h('span.muted', '未中奖 No prize'),
      d.bonusPoints ? h('div.muted', `+${fmt.points(d.bonusPoints)} 积分 points`) : null,
      d.orderId ? h('div', h('a', { href: `/orders/${d.orderId}`, 'data-link': true }, '奖品订单 Prize order →')) : null),
    h('td.num', fmt.points(d.pointsSpent)),
    h('td', d.drawNumber ? h('a', { href: verify, 'data-link': true }, `#${d.drawNumber} 验证 Verify`) : '—'));
}

function drawsTable(items) {
  return h('div.table-wrap', h('table', h('thead', h('tr', h('th', '时间 Time'), h('th', '活动 Lottery'), h('th', '结果 Outcome'), h('th.num', '消耗 Spent'), h('th', '编号 Draw'))),
    h('tbody', items.map(drawRow))));
}

async function myDrawsCard(lotteryId) {
  try {
    const items = itemsOf(await api.request('GET', '/me/draws', { query: { pageSize: 100 } })).filter((d) => d.lotteryId === lotteryId).slice(0, 10);
    return h('section.card', h('h3', '我的抽奖 My draws'), items.length ? drawsTable(items) : empty('还没有抽过 No draws yet'),
      h('a', { href: '/me/draws', 'data-link': true }, '全部记录 All my draws →'));
  } catch (e) {
    return problemBox(e);
  }
}

const NOTICE_TEXT = { order_shipped: '发货 Shipped', order_cancelled: '取消 Cancelled', prize_won: '中奖 Prize', tier_reached: '升级 Tier',
  points_expiring: '到期 Expiring', birthday_gift: '生日 Birthday', invitation_credited: '邀请 Invitation', announcement: '公告 Notice' };

async function inboxPage(_params, query) {
  if (!requireLogin()) return;
  const unreadOnly = query.get('unread') === 'true';
  mount(app, spinner());
  const data = await api.request('GET', '/me/inbox', { query: { pageSize: 50, unread: unreadOnly || undefined } });
  const items = itemsOf(data);
  const markAll = h('button.btn.small', { type: 'button', 'data-testid': 'mark-all-read', disabled: data.unread === 0, onclick: async () => {
    try {
      await api.post('/me/inbox/read', {});
      go(location.pathname + location.search, { replace: true });
    } catch (e) {
      toast(e.friendly ?? String(e), 'error');
    }
  } }, '全部已读 Mark all read');
  mount(app, h('h1', '消息', h('span.en', 'Inbox')),
    h('div.row', h('span.muted', { 'data-testid': 'unread-count' }, `${data.unread} 条未读 unread`),
      h('a.btn.small', { href: unreadOnly ? '/inbox' : '/inbox?unread=true', 'data-link': true }, unreadOnly ? '全部 All' : '只看未读 Unread only'), markAll),
    items.length ? h('div.list', { 'data-testid': 'inbox' }, items.map((m) => h(`div.card${m.read ? '' : '.unread'}`, { 'data-testid': 'inbox-item', 'data-kind': m.kind, 'data-read': String(m.read) },
      h('div.spread', h('strong', h(`span.badge${m.kind === 'announcement' ? '.hot' : '.gold'}`, NOTICE_TEXT[m.kind] ?? m.kind), ' ', m.title), h('small.muted', fmt.time(m.at))),
      h('div', m.body),
      m.link ? h('a', { href: m.link, 'data-link': true }, '查看 View →') : null))) : empty('暂无消息 No messages'));
}

const COUPON_STATUS = { usable: '可用 Usable', used: '已使用 Used', expired: '已过期 Expired' };

/** What a coupon takes off and where it applies, as one line. */
function couponTerms(c) {
  const where = c.category ? ` · 限${CATEGORY_TEXT[c.category] ?? c.category}` : '';
  return `${c.minPoints ? `满 ${fmt.points(c.minPoints)} 积分可用 from ${fmt.points(c.minPoints)} pts` : '无门槛 No minimum'}${where}`;
}

/** The coupon centre: coupons to claim, and the member's wallet (usable first, then used and expired). */
async function couponsPage() {
  mount(app, spinner());
  const [offered, wallet] = await Promise.all([
    api.request('GET', '/coupons', { query: { pageSize: 50 }, auth: api.signedIn }),
    api.signedIn ? api.get('/me/coupons') : Promise.resolve({ items: [] }),
  ]);
  const held = new Map();
  for (const c of itemsOf(wallet)) held.set(c.couponId, (held.get(c.couponId) ?? 0) + 1);
  const open = (c) => (!c.claimFrom || Date.parse(c.claimFrom) <= Date.now()) && (!c.claimUntil || Date.now() < Date.parse(c.claimUntil));
  const claim = (c) => async (e) => {
    if (!requireLogin()) return;
    e.target.disabled = true;
    try {
      await api.post(`/me/coupons/${encodeURIComponent(c.id)}/claim`);
      toast('已领取 Claimed', 'ok');
      go('/coupons', { replace: true });
    } catch (err) {
      e.target.disabled = false;
      toast(err.friendly ?? String(err), 'error');
    }
  };
  const couponCard = (c, action, status) => h('div.card.coupon.spread', { 'data-testid': status ? 'wallet-coupon' : 'coupon-offer', 'data-coupon-id': c.id, 'data-status': status ?? '' },
    h('div', h('div.points', `−${fmt.points(c.facePoints)}`), h('strong', c.name), h('div.muted', couponTerms(c)),
      status ? h('small.muted', `${COUPON_STATUS[status] ?? status} · 有效期至 valid until ${fmt.time(c.expiresAt)}`)
        : h('small.muted', `领取后 ${c.validDays} 天内有效 Valid ${c.validDays} days · 剩余 ${fmt.points(c.remaining)} left`)),
    action);
  const offers = itemsOf(offered);
  const items = itemsOf(wallet);
  mount(app, h('h1', '领券中心', h('span.en', 'Coupons')),
    offers.length ? h('div.list', offers.map((c) => {
      const full = (held.get(c.id) ?? 0) >= c.perMemberLimit;
      const label = c.remaining <= 0 ? '已抢光 All gone' : full ? '已领取 Claimed' : !open(c) ? '未开放 Not open' : '领取 Claim';
      return couponCard(c, h('button.btn.primary.small', { type: 'button', 'data-testid': 'claim-coupon', disabled: label !== '领取 Claim', onclick: claim(c) }, label));
    })) : empty('暂无可领取的券 No coupons to claim'),
    h('div.section-title', h('h2', '我的券包', h('span.en', 'My wallet'))),
    !api.signedIn ? h('p', h('a', { href: '/login?next=/coupons', 'data-link': true }, '登录后查看 Sign in to see your coupons'))
      : items.length ? h('div.list', { 'data-testid': 'wallet' }, items.map((c) => couponCard(c,
        c.status === 'usable' ? h('a.btn.small', { href: '/', 'data-link': true }, '去使用 Use') : c.usedBy ? h('a.btn.small', { href: `/orders/${encodeURIComponent(c.usedBy)}`, 'data-link': true }, '订单 Order') : null,
        c.status)))
        : empty('券包是空的 Your wallet is empty'));
}

/** Answers a survey or quiz in a dialog: one choice per question, scored by the server. */
async function answerSurvey(survey) {
  const data = await dialog(survey.title, h('div.stack', { 'data-testid': 'survey-form' },
    survey.questions.map((q, i) => h('fieldset', { 'data-testid': 'survey-question' }, h('legend', `${i + 1}. ${q.text}`),
      q.options.map((o, j) => h('label.checkbox', h('input', { type: 'radio', name: `q${i}`, value: j, required: true }), ` ${o}`))))), { submitLabel: '提交 Submit' });
  if (!data) return null;
  const answers = survey.questions.map((_, i) => Number(data.get(`q${i}`)));
  try {
    const r = await api.post(`/me/surveys/${encodeURIComponent(survey.id)}/answers`, { answers });
    toast(survey.kind === 'quiz'
      ? `答对 ${r.correct}/${r.total} 题，+${fmt.points(r.points)} 积分 · ${r.correct} of ${r.total} right, +${fmt.points(r.points)} points`
      : `感谢参与！+${fmt.points(r.points)} 积分 Thanks! +${fmt.points(r.points)} points`, 'ok');
    refreshMe();
    return r;
  } catch (e) {
    toast(e instanceof ApiError ? e.friendly : String(e), 'error');
    return null;
  }
}

/** Ways to earn that the server can check: surveys and quizzes it scores, invitations, shares a partner confirms. */
async function tasksPage() {
  if (!requireLogin()) return;
  mount(app, spinner());
  const [open, mine, me] = await Promise.all([api.get('/surveys'), api.get('/me/surveys'), api.get('/me')]);
  const answered = new Map(itemsOf(mine).map((a) => [a.surveyId, a]));
  const card = (sv) => {
    const done = answered.get(sv.id);
    const reward = sv.kind === 'quiz' ? `每答对一题 ${fmt.points(sv.points)} 积分 ${fmt.points(sv.points)} pts per right answer` : `${fmt.points(sv.points)} 积分 points`;
    return h('div.card.spread', { 'data-testid': 'survey-card', 'data-survey-id': sv.id, 'data-answered': String(Boolean(done)) },
      h('div', h('strong', h(`span.badge${sv.kind === 'quiz' ? '.hot' : '.gold'}`, sv.kind === 'quiz' ? '答题 Quiz' : '问卷 Survey'), ' ', sv.title),
        h('div.muted', `${sv.questions.length} 题 questions · ${reward}`),
        sv.rankingBonus?.length ? h('div.muted', `排名奖励 Ranking bonus: ${sv.rankingBonus.map((b, i) => `#${i + 1} +${fmt.points(b)}`).join(' · ')}`) : null,
        sv.endsAt ? h('small.muted', `截止 Ends ${fmt.time(sv.endsAt)}`) : null,
        done ? h('div', { 'data-testid': 'survey-result' }, `已完成 Done: ${sv.kind === 'quiz' ? `${done.correct}/${done.total} · ` : ''}+${fmt.points(done.points)}`) : null),
      done ? h('span.badge', '已完成 Done')
        : h('button.btn.primary.small', { type: 'button', 'data-testid': 'answer-survey', disabled: !sv.open, onclick: async () => { if (await answerSurvey(sv)) tasksPage(); } },
          sv.open ? '参与 Start' : '未开始 Not open'));
  };
  const items = itemsOf(open);
  mount(app, h('h1', '赚积分', h('span.en', 'Earn points')),
    h('div.section-title', h('h2', '问卷与答题', h('span.en', 'Surveys and quizzes'))),
    items.length ? h('div.list', { 'data-testid': 'surveys' }, items.map(card)) : empty('暂无问卷或答题 No surveys or quizzes right now'),
    h('div.section-title', h('h2', '邀请与分享', h('span.en', 'Invite and share'))),
    h('div.card.stack',
      h('div', '邀请好友注册，好友注册成功后您获得邀请积分。Invite friends: you earn when they register.'),
      h('input', { readonly: true, value: me ? `${location.origin}/register?ref=${encodeURIComponent(me.id)}` : '', 'aria-label': '邀请链接 Invitation link', onfocus: (e) => e.target.select() }),
      h('div.muted', '分享商品到社交平台：合作平台确认后自动发放分享积分（每日有上限）。Shares earn points once the partner platform confirms them (daily cap).')),
    h('p', h('a', { href: '/rules', 'data-link': true }, '积分规则 How points work →')));
}

const TIER_CN = { Regular: '普通', Silver: '银卡', Gold: '金卡', Diamond: '钻石' };

/** The programme's rules as a shopper reads them: how points are earned, tiers, expiry and the birthday gift. */
async function rulesPage() {
  mount(app, spinner());
  const r = await api.request('GET', '/rules', { auth: api.signedIn });
  const row = (label, value) => h('tr', h('td', label), h('td.num', value));
  mount(app, h('h1', '积分规则', h('span.en', 'How points work')),
    h('section.card', { 'data-testid': 'rules-earn' }, h('h3', '如何赚积分 Earning'), h('div.table-wrap', h('table', h('tbody',
      row('消费 Purchases', `每消费 ¥${(r.purchase.fenPerStep / 100).toFixed(2)} 得 ${r.purchase.pointsPerStep} 积分 · ¥${(r.purchase.fenPerStep / 100).toFixed(2)} earns ${r.purchase.pointsPerStep}`),
      row('每日签到 Daily sign-in', `${(r.signIn.ladder ?? []).join(' → ')}${r.signIn.bonusEveryDays ? ` · 每连续 ${r.signIn.bonusEveryDays} 天 +${r.signIn.streakBonus}` : ''}`),
      (r.tasks ?? []).map((t) => row(TASK_TEXT[t.kind] ?? t.kind, `${t.points ? `${t.points} 积分` : ''}${t.pointsPerCorrectAnswer ? ` 每答对一题 ${t.pointsPerCorrectAnswer}` : ''}${t.dailyCap ? ` · 每日最多 ${t.dailyCap} daily cap` : ''}`)),
      r.birthdayPoints ? row('生日礼 Birthday gift', `${fmt.points(r.birthdayPoints)} 积分 points`) : null,
      r.campaignMultiplier > 1 ? row('当前活动 Campaign now', `×${r.campaignMultiplier}`) : null)))),
    h('section.card', { 'data-testid': 'rules-tiers' }, h('h3', '会员等级 Tiers'), h('div.table-wrap', h('table',
      h('thead', h('tr', h('th', '等级 Tier'), h('th.num', '门槛 From'), h('th.num', '积分倍数 Earns'))),
      h('tbody', (r.tiers ?? []).map((t) => h('tr', h('td', `${TIER_CN[t.tier] ?? ''} ${t.tier}`), h('td.num', fmt.points(t.minPoints)), h('td.num', `×${t.multiplier}`))))))),
    h('section.card', { 'data-testid': 'rules-expiry' }, h('h3', '有效期 Expiry'),
      h('p', (EXPIRY_TEXT[r.expiry.kind] ?? r.expiry.kind).replace(/\bN\b/g, String(r.expiry.periods))),
      h('p.muted', '积分到期前 7 天会在消息中提醒。You are told in your inbox a week before points expire.')));
}

async function myDrawsPage(_params, query) {
  if (!requireLogin()) return;
  const page = Math.max(1, Number(query.get('page')) || 1);
  mount(app, spinner());
  const data = await api.request('GET', '/me/draws', { query: { page, pageSize: 20 } });
  const items = itemsOf(data);
  mount(app, h('h1', '抽奖记录', h('span.en', 'My draws')),
    items.length ? h('section.card', { 'data-testid': 'draw-history' }, drawsTable(items)) : empty('还没有抽过 No draws yet'),
    h('div.row', page > 1 ? h('a.btn', { href: `/me/draws?page=${page - 1}`, 'data-link': true }, '← 上一页 Newer') : null,
      page * 20 < data.total ? h('a.btn', { href: `/me/draws?page=${page + 1}`, 'data-link': true }, '下一页 Older →') : null));
}

/**
 * The verify page recomputes draws in the browser, apart from the server: the value of a draw is
 * HMAC-SHA256(seed, "{lottery}\n{member}\n{number}"), its first 8 bytes big-endian, shifted right by 11, over 2^53;
 * tiers take consecutive intervals of [0, 1) by rank (the table version the draw used).
 */
async function drawValue(seedHex, lotteryId, memberId, number) {
  const bytes = new Uint8Array(seedHex.match(/../g).map((b) => parseInt(b, 16)));
  const key = await crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${lotteryId}\n${memberId}\n${number}`));
  return Number(new DataView(mac).getBigUint64(0) >> 11n) / 2 ** 53;
}

async function sha256Hex(hex) {
  const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(hex.match(/../g).map((b) => parseInt(b, 16))));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The tier a value lands on in one table version; boundaries are summed in millionths of a millionth, as decimals would. */
function tierAt(table, value) {
  let upper = 0n;
  const scaled = BigInt(Math.floor(value * 1e15));
  for (const tier of [...table.tiers].sort((a, b) => a.rank - b.rank)) {
    upper += BigInt(Math.round(tier.probability * 1e15));
    if (scaled < upper) return tier;
  }
  return null;
}

async function verifyPage({ id }, query) {
  mount(app, spinner());
  const fairness = await api.request('GET', `/lotteries/${encodeURIComponent(id)}/fairness`, { auth: api.signedIn });
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form.card.stack', { 'data-testid': 'verify-form' },
    h('h3', '验证一次抽奖 Verify one draw'),
    field('会员编号 Member id', h('input', { name: 'member', required: true, value: query.get('member') ?? me?.id ?? '' })),
    field('抽奖编号 Draw number', h('input', { name: 'number', type: 'number', min: 1, required: true, value: query.get('number') ?? '' })),
    field('记录的随机数 Recorded value (optional)', h('input', { name: 'value', value: query.get('value') ?? '' })),
    h('button.btn.primary', { type: 'submit', disabled: !fairness.seed }, '重算 Recompute'), result);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const value = await drawValue(fairness.seed, id, String(data.get('member')).trim(), Number(data.get('number')));
    const recorded = String(data.get('value')).trim();
    // The table version the draw was made against, when the link names it; else the current one.
    const table = fairness.tables.find((t) => String(t.version) === query.get('version')) ?? fairness.tables[fairness.tables.length - 1];
    const tier = tierAt(table, value);
    mount(result, h('div.alert.info', { 'data-testid': 'verify-result' },
      h('div', '随机数 Value: ', h('code', { 'data-testid': 'verify-value' }, String(value))),
      h('div', `落在 Lands on (table v${table.version}): ${tier ? tier.name : '谢谢参与 No prize'}`),
      recorded ? h('div', { 'data-testid': 'verify-match', 'data-match': String(Number(recorded) === value) },
        Number(recorded) === value ? '✓ 与记录一致 Matches the record' : '✗ 与记录不符 Does not match the record') : null));
  });
  const commitment = h('div');
  if (fairness.seed) {
    const hash = await sha256Hex(fairness.seed);
    mount(commitment, h('div', { 'data-testid': 'commitment-check', 'data-match': String(hash === fairness.seedHash) },
      hash === fairness.seedHash ? '✓ 种子与开奖前公布的承诺一致 The seed matches the commitment published before the first draw'
        : '✗ 种子与承诺不符 The seed does not match the commitment'));
  }
  const published = h('div');
  if (fairness.seed) {
    const draws = itemsOf(await api.request('GET', `/lotteries/${encodeURIComponent(id)}/draws`, { auth: api.signedIn, query: { pageSize: 100 } }));
    const rows = await Promise.all(draws.map(async (d) => {
      const value = await drawValue(fairness.seed, id, d.memberId, d.drawNumber);
      const table = fairness.tables.find((t) => t.version === d.tableVersion);
      const ok = value === d.randomValue && table && (tierAt(table, value)?.id ?? null) === (d.landedTierId ?? null);
      return h('tr', { 'data-testid': 'published-draw', 'data-verified': String(Boolean(ok)) },
        h('td', `#${d.drawNumber}`), h('td', h('code', d.memberId)), h('td.num', d.randomValue.toFixed(12)), h('td', d.wonTierId ?? '—'), h('td', ok ? '✓' : '✗'));
    }));
    mount(published, h('section.card', h('h3', '全部抽奖（最近 100 次）All draws (latest 100)'),
      h('div.table-wrap', h('table', h('thead', h('tr', h('th', '#'), h('th', '会员 Member'), h('th.num', '随机数 Value'), h('th', '中奖 Won'), h('th', '核验 Check'))), h('tbody', rows)))));
  }
  mount(app, h('h1', '验证抽奖', h('span.en', 'Verify draws')),
    h('section.card.stack', { 'data-testid': 'fairness' },
      h('div', '种子承诺 Commitment: ', h('code.wrap', fairness.seedHash ?? '—')),
      fairness.seed ? h('div', '种子 Seed: ', h('code.wrap', fairness.seed)) : h('div.alert.info', '活动结束后公开种子，届时可验证。The seed is published when the lottery ends; draws can be checked then.'),
      commitment, h('div.muted', h('small', `${fairness.algorithm}; ${fairness.tierRule}`)),
      h('a', { href: `/lottery/${encodeURIComponent(id)}`, 'data-link': true }, '← 返回抽奖 Back to the lottery')),
    form, published);
}

function authPage(mode) {
  return async (_params, query) => {
    const next = query.get('next') || '/';
    const error = h('div');
    const isLogin = mode === 'login';
    const form = h('form.card.stack.auth', { 'data-testid': `${mode}-form` },
      h('h1', isLogin ? '登录' : '注册', h('span.en', isLogin ? 'Sign in' : 'Create account')),
      isLogin
        ? field('手机号或邮箱 Phone or e-mail', h('input', { name: 'login', required: true, autocomplete: 'username', maxlength: 100 }))
        : [field('手机号或邮箱 Phone or e-mail', h('input', { name: 'contact', required: true, autocomplete: 'username', maxlength: 100 })),
          field('昵称 Display name', h('input', { name: 'displayName', required: true, maxlength: 50 }))],
      field('密码 Password', h('input', { name: 'password', type: 'password', required: true, minlength: isLogin ? 1 : 8, autocomplete: isLogin ? 'current-password' : 'new-password' }), isLogin ? null : '至少 8 位 At least 8 characters'),
      error,
      h('button.btn.primary.block', { type: 'submit' }, isLogin ? '登录 Sign in' : '注册并登录 Register'),
      h('p.muted', isLogin ? ['还没有账号？No account? ', h('a', { href: `/register?next=${encodeURIComponent(next)}`, 'data-link': true }, '注册 Register'),
        ' · ', h('a', { href: '/reset', 'data-link': true, 'data-testid': 'forgot-password' }, '忘记密码 Forgot password?'),
        ' · ', h('a', { href: `/login-code?next=${encodeURIComponent(next)}`, 'data-link': true, 'data-testid': 'sign-in-with-code' }, '验证码登录 Sign in with a code')]
        : ['已有账号？Have an account? ', h('a', { href: `/login?next=${encodeURIComponent(next)}`, 'data-link': true }, '登录 Sign in')]));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const data = new FormData(form);
      mount(error);
      try {
        if (isLogin) {
          await api.login(data.get('login').trim(), data.get('password'));
        } else {
          const contact = data.get('contact').trim();
          const referredBy = query.get('ref');
          await api.register({ ...(contact.includes('@') ? { email: contact } : { phone: contact }), password: data.get('password'), displayName: data.get('displayName'),
            ...(referredBy ? { referredBy } : {}) });
          await api.login(contact, data.get('password'));
        }
        await refreshMe();
        toast(isLogin ? '登录成功 Signed in' : '注册成功 Welcome!', 'ok');
        go(next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
      } catch (err) {
        mount(error, problemBox(err, 'auth-error'));
      }
    });
    mount(app, form);
  };
}

/**
 * A one-time code to the phone or mailbox, then what it is for: signing in (`mode` 'sign-in') or a new password
 * ('reset'). Asking for a code answers the same whether or not the account exists.
 */
function codePage(mode) {
  const signIn = mode === 'sign-in';
  return async (_params, query) => {
    const next = query.get('next') || '/';
    const error = h('div');
    const ask = h('form.card.stack.auth', { 'data-testid': 'code-request-form' },
      h('h1', signIn ? '验证码登录' : '找回密码', h('span.en', signIn ? 'Sign in with a code' : 'Reset your password')),
      field('手机号或邮箱 Phone or e-mail', h('input', { name: 'login', required: true, autocomplete: 'username', maxlength: 100 })),
      error,
      h('button.btn.primary.block', { type: 'submit' }, '发送验证码 Send code'));
    ask.addEventListener('submit', async (e) => {
      e.preventDefault();
      const login = new FormData(ask).get('login').trim();
      mount(error);
      try {
        await api.post(signIn ? '/auth/login-code' : '/auth/password-reset', { login });
      } catch (err) {
        mount(error, problemBox(err, 'code-error'));
        return;
      }
      const confirmError = h('div');
      const confirm = h('form.card.stack.auth', { 'data-testid': 'code-confirm-form' },
        h('h1', signIn ? '输入验证码' : '设置新密码', h('span.en', signIn ? 'Enter the code' : 'Choose a new password')),
        h('p.muted', `若该账号存在，验证码已发送至 ${login}（10 分钟内有效）。If the account exists, a code was sent to ${login} (valid 10 minutes).`),
        field('验证码 Code', h('input', { name: 'code', required: true, inputmode: 'numeric', pattern: '[0-9]{6}', maxlength: 6, autocomplete: 'one-time-code' })),
        signIn ? null : field('新密码 New password', h('input', { name: 'newPassword', type: 'password', required: true, minlength: 8, maxlength: 128, autocomplete: 'new-password' }), '至少 8 位 At least 8 characters'),
        confirmError,
        h('button.btn.primary.block', { type: 'submit' }, signIn ? '登录 Sign in' : '重置密码 Reset password'));
      confirm.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const data = new FormData(confirm);
        const code = data.get('code').trim();
        mount(confirmError);
        try {
          if (signIn) await api.login(login, null, code);
          else await api.post('/auth/password-reset/confirm', { login, code, newPassword: data.get('newPassword') });
        } catch (err) {
          mount(confirmError, problemBox(err, 'code-error'));
          return;
        }
        if (signIn) {
          await refreshMe();
          toast('登录成功 Signed in', 'ok');
          go(next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
        } else {
          toast('密码已重置，请登录 Password reset: please sign in', 'ok');
          go('/login', { replace: true });
        }
      });
      mount(app, confirm);
    });
    mount(app, ask);
  };
}

async function mePage() {
  if (!requireLogin()) return;
  const m = await refreshMe();
  const inboxBadge = h('span.badge', { 'data-testid': 'inbox-unread', hidden: true });
  api.request('GET', '/me/inbox', { query: { pageSize: 1 } }).then((box) => {
    inboxBadge.textContent = String(box.unread);
    inboxBadge.hidden = box.unread === 0;
  }, () => {});
  const addresses = h('div.list', spinner());
  const loadAddresses = async () => {
    try {
      const list = itemsOf(await api.get('/me/addresses'));
      mount(addresses, list.length ? list.map((a) => h('div.card.spread', h('div', h('strong', `${a.recipient} ${a.phone}`), a.isDefault ? h('span.badge.gold', ' 默认 Default') : null, h('div.muted', `${a.region} ${a.detail}`)),
        h('button.btn.small.danger', { type: 'button', onclick: async () => { try { await api.del(`/me/addresses/${a.id}`); loadAddresses(); } catch (e) { toast(e.friendly ?? String(e), 'error'); } } }, '删除 Delete')))
        : empty('还没有收货地址 No addresses yet'));
    } catch (e) {
      mount(addresses, problemBox(e));
    }
  };
  mount(app,
    h('section.hero', h('div', h('h1', m?.displayName ?? ''), h('div.muted', m?.phone ?? m?.email ?? ''), h('span.badge.tier', m?.tier ?? '')),
      h('div', h('div.muted', '积分 Points'), h('div.points', fmt.points(m?.balance)))),
    h('div.section-title', h('h2', '收货地址', h('span.en', 'Addresses')), h('button.btn.small', { type: 'button', 'data-testid': 'add-address', onclick: async () => { await addAddressDialog(); loadAddresses(); } }, '+ 新增 Add')),
    addresses,
    h('div.section-title', h('h2', '邀请好友', h('span.en', 'Invite friends'))),
    h('div.card.stack', h('div.muted', '好友通过此链接注册，您将获得邀请积分。Friends who register through this link earn you invitation points.'),
      h('input', { readonly: true, value: m ? `${location.origin}/register?ref=${encodeURIComponent(m.id)}` : '', 'data-testid': 'invite-link', 'aria-label': '邀请链接 Invitation link', onfocus: (e) => e.target.select() })),
    h('div.section-title', h('h2', '更多', h('span.en', 'More'))),
    h('div.row', h('a.btn', { href: '/points', 'data-link': true }, '积分明细 Points'), h('a.btn', { href: '/orders', 'data-link': true }, '我的订单 Orders'),
      h('a.btn', { href: '/me/draws', 'data-link': true, 'data-testid': 'my-draws-link' }, '抽奖记录 My draws'),
      h('a.btn', { href: '/inbox', 'data-link': true, 'data-testid': 'inbox-link' }, '消息 Inbox', inboxBadge),
      h('a.btn', { href: '/coupons', 'data-link': true, 'data-testid': 'coupons-link' }, '券包 Coupons'),
      h('a.btn', { href: '/tasks', 'data-link': true, 'data-testid': 'tasks-link' }, '赚积分 Earn points'),
      h('a.btn', { href: '/rules', 'data-link': true, 'data-testid': 'rules-link' }, '积分规则 Rules'),
      h('button.btn', { type: 'button', 'data-testid': 'edit-profile', onclick: async () => { if (await editProfileDialog(m)) mePage(); } }, '编辑资料 Edit profile'),
      h('button.btn', { type: 'button', 'data-testid': 'change-login', onclick: async () => { if (await changeLoginDialog()) mePage(); } }, '更换手机/邮箱 Change phone or e-mail'),
      h('button.btn', { type: 'button', 'data-testid': 'change-password', onclick: changePasswordDialog }, '修改密码 Change password'),
      h('button.btn.danger', { type: 'button', 'data-testid': 'logout', onclick: () => { api.logout(); refreshMe(); go('/'); } }, '退出登录 Sign out')));
  await loadAddresses();
}

// ---------- router ----------
const routes = [
  [/^\/$/, homePage, 'home'],
  [/^\/search$/, searchPage, 'home'],
  [/^\/products\/(?<id>[^/]+)$/, productPage, 'home'],
  [/^\/orders$/, ordersPage, 'orders'],
  [/^\/orders\/(?<id>[^/]+)$/, orderPage, 'orders'],
  [/^\/points$/, pointsPage, 'points'],
  [/^\/checkin$/, checkinPage, 'checkin'],
  [/^\/lottery$/, lotteriesPage, 'lottery'],
  [/^\/lottery\/(?<id>[^/]+)$/, lotteryPage, 'lottery'],
  [/^\/lottery\/(?<id>[^/]+)\/verify$/, verifyPage, 'lottery'],
  [/^\/me\/draws$/, myDrawsPage, 'lottery'],
  [/^\/inbox$/, inboxPage, ''],
  [/^\/coupons$/, couponsPage, ''],
  [/^\/tasks$/, tasksPage, 'checkin'],
  [/^\/rules$/, rulesPage, ''],
  [/^\/login$/, authPage('login'), ''],
  [/^\/register$/, authPage('register'), ''],
  [/^\/reset$/, codePage('reset'), ''],
  [/^\/login-code$/, codePage('sign-in'), ''],
  [/^\/me$/, mePage, ''],
];

let renderSeq = 0;
async function render() {
  clearPageTimers();
  const seq = ++renderSeq;
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const query = new URLSearchParams(location.search);
  const match = routes.map(([re, page, tab]) => ({ m: re.exec(path), page, tab })).find((r) => r.m);
  for (const a of document.querySelectorAll('#tabbar a')) a.classList.toggle('active', a.dataset.tab === match?.tab);
  if (!match) {
    mount(app, empty('页面不存在 Page not found'), h('p', { style: { textAlign: 'center' } }, h('a.btn', { href: '/', 'data-link': true }, '回到首页 Home')));
    return;
  }
  const params = Object.fromEntries(Object.entries(match.m.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]));
  try {
    await match.page(params, query);
  } catch (e) {
    if (seq === renderSeq) mount(app, problemBox(e));
  }
  if (seq === renderSeq) app.dataset.page = match.page.name;
}

export function go(url, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.scrollTo(0, 0);
  render();
}

document.addEventListener('click', (e) => {
  const a = e.target.closest('a[data-link]');
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  go(a.getAttribute('href'));
});
window.addEventListener('popstate', render);
document.getElementById('search-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const q = document.getElementById('search-input').value.trim();
  go(q ? `/search?q=${encodeURIComponent(q)}` : '/');
});

await refreshMe();
render();
