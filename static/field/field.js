// 网格外勤的页面：按地址显示一件事（待办、登记人员、查找人员、登记房屋、上报事件、巡查、走访、同步），
// 读本机缓存先显示，联网时再刷新；保存的内容进入待同步队列，几秒内可撤销。
'use strict';
(() => {
  const { $, $$, KINDS, label, text, today, el, formData, showErrors } = FieldUI;
  const params = new URLSearchParams(location.search);
  const path = location.pathname === '/field' ? '/field/' : location.pathname;
  const UNDO_MS = 8000;
  let snap = null;

  // ---- toast with undo ----
  let toastTimer = null;
  function toast(msg, undo) {
    const t = $('#toast');
    $('#toast-text').textContent = msg;
    const b = $('#toast-undo');
    b.hidden = !undo;
    b.onclick = async () => { t.hidden = true; clearTimeout(toastTimer); if (undo) await undo(); };
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { t.hidden = true; }, undo ? UNDO_MS : 4000);
  }

  // Queues an operation, offers undo while it has not been sent, and sends it after the undo window.
  async function queue(op, msg, onUndo) {
    const saved = await FieldDB.addOp(op);
    await refreshCount();
    toast(msg + (navigator.onLine ? '，稍后自动发送' : '，有信号后自动发送'), async () => {
      const still = await FieldDB.get('ops', saved.op_id);
      if (still && still.status === 'waiting') {
        await FieldDB.del('ops', saved.op_id);
        if (onUndo) await onUndo();
        toast('已撤销');
      } else toast('已经发送，不能撤销；请到系统里修改');
      await refreshCount();
    });
    FieldSync.soon(UNDO_MS + 500);
    return saved;
  }

  // ---- header: waiting count and network ----
  async function refreshCount() {
    const n = (await FieldDB.ops()).length;
    $('#waiting-count').textContent = String(n);
    $('#waiting').classList.toggle('has', n > 0);
    document.body.dataset.waiting = String(n);
  }
  function showNet() {
    const n = $('#net');
    n.textContent = navigator.onLine ? '在线' : '离线';
    n.classList.toggle('off', !navigator.onLine);
  }

  // ---- session: forget the cache once it has expired ----
  async function checkSession() {
    const s = await FieldDB.meta('session');
    if (!s) return true;
    const now = Date.now();
    if (now > s.expires_at || now - s.last_contact > s.idle_ms) {
      await FieldDB.wipeCache();
      sessionGone();
      return false;
    }
    return true;
  }
  function sessionGone() {
    snap = null;
    const m = $('#session-msg');
    m.textContent = '';
    m.append('登录已过期，手机里的本网格资料已清除。已保存、待同步的内容还在，联网后请 ',
      el('a', { href: '/login?next=%2Ffield%2F' }, '重新登录'), '，登录后自动发送。');
    m.hidden = false;
    renderHome();
  }

  // ---- snapshot of the grid ----
  async function loadSnapshot() {
    snap = await FieldDB.meta('snapshot');
  }
  async function refreshSnapshot() {
    if (!navigator.onLine) return;
    try {
      const r = await FieldSync.api('GET', '/api/v1/field/snapshot');
      if (!r.ok) return;
      const s = await r.json();
      const records = [];
      for (const [kind, list] of [['person', s.people], ['house', s.houses], ['household', s.households], ['rental', s.rentals], ['place', s.places]]) {
        for (const x of list) records.push(Object.assign({ key: kind + ':' + x.id }, x));
      }
      await FieldDB.replaceRecords(records);
      const session = { expires_at: s.session.expires_at, idle_ms: s.session.idle_ms, last_contact: Date.now(), account_id: s.account.id };
      await FieldDB.setMeta('session', session);
      delete s.people; delete s.houses; delete s.households; delete s.rentals; delete s.places;
      await FieldDB.setMeta('snapshot', s);
      snap = s;
      $('#session-msg').hidden = true;
      fillSelects();
      render();
    } catch (e) {
      if (!(e instanceof FieldSync.SignedOut)) console.warn('snapshot', e);
    }
  }
  async function records(kind) {
    return (await FieldDB.all('records')).filter((r) => r.key.startsWith(kind + ':'));
  }

  function fillSelects() {
    if (!snap) return;
    for (const s of $$('.grid-select')) {
      const keep = s.value;
      s.textContent = '';
      for (const g of snap.grids) s.append(el('option', { value: g.id }, g.name));
      if (keep) s.value = keep;
    }
    for (const s of $$('select[data-codes]')) {
      const keep = s.value;
      s.textContent = '';
      s.append(el('option', { value: '' }, '请选择'));
      for (const [c, l] of snap.codes[s.dataset.codes] || []) s.append(el('option', { value: c }, l));
      if (keep) s.value = keep;
    }
    const cat = $('#event-category');
    const keep = cat.value;
    cat.textContent = '';
    cat.append(el('option', { value: '' }, '请选择'));
    // The desktop form's choices and groups, in its order (the snapshot carries them so).
    let group = null;
    for (const c of snap.categories) {
      if (!c.group) { group = null; cat.append(el('option', { value: c.code }, c.name)); continue; }
      if (!group || group.label !== c.group) { group = el('optgroup', { label: c.group }); cat.append(group); }
      group.append(el('option', { value: c.code }, c.name));
    }
    if (keep) cat.value = keep;
  }

  // ---- screens ----
  function renderHome() {
    const who = $('#who');
    if (!snap) { who.textContent = navigator.onLine ? '正在读取本网格资料…' : '本机还没有本网格资料，请联网后打开一次。'; return; }
    who.textContent = snap.account.display_name + ' · ' + snap.account.role_label + ' · ' + snap.grids.map((g) => g.name).join('、');
    const ev = $('#todo-events');
    ev.textContent = '';
    $('#todo-events-n').textContent = snap.todo.events_total ? '(' + snap.todo.events_total + ')' : '';
    for (const e of snap.todo.events) {
      const when = e.deadline_text ? ' · 期限 ' + e.deadline_text : '';
      ev.append(el('li', { class: 'card-' + (e.card || 'none') }, el('a', { href: '/events/' + e.id }, e.event_no + ' ' + e.title + '（' + (e.state_label || e.state) + '）' + when)));
    }
    if (!snap.todo.events.length) ev.append(el('li', { class: 'muted' }, '暂无'));
    const vs = $('#todo-visits');
    vs.textContent = '';
    $('#todo-visits-n').textContent = snap.todo.visits_due_total ? '(' + snap.todo.visits_due_total + ')' : '';
    for (const v of snap.todo.visits_due) {
      const what = v.kind_label + ' ' + v.subject + ' · 应于 ' + v.next_visit_due + ' 走访' + (v.days_overdue > 0 ? '（已逾期 ' + v.days_overdue + ' 天）' : '');
      const go = el('a', { href: '/field/visit?' + (v.subject_type === 'household' ? 'household=' : 'person=') + v.subject_id }, what);
      vs.append(el('li', {}, go));
    }
    if (!snap.todo.visits_due.length) vs.append(el('li', { class: 'muted' }, '暂无'));
    const p = snap.todo.patrol;
    $('#todo-patrol').textContent = p ? '正在巡查：' + p.started_text + ' 开始。' : '今天还没有开始巡查。';
    $('#snapshot-time').textContent = '本机资料更新于 ' + new Date(snap.taken_at).toLocaleString('zh-CN');
  }

  async function renderPerson() {
    const form = $('#person-form');
    const kindBox = () => { const k = (form.querySelector('[name=kind]:checked') || {}).value; for (const d of $$('[data-kind]', form)) d.hidden = d.dataset.kind !== k; };
    form.addEventListener('change', kindBox);
    let base = null;
    let replaced = null;
    await FieldHousehold.personChoice({ el }, params.get('household'));
    if (params.get('id')) {
      base = await FieldDB.get('records', 'person:' + params.get('id'));
      if (base) {
        $('#person-title').textContent = '修改人员：' + base.name;
        for (const [k, v] of Object.entries(base)) {
          const f = form.querySelector('[name="' + k + '"]');
          if (f && f.type === 'radio') { const r = form.querySelector('[name=kind][value="' + v + '"]'); if (r) r.checked = true; } else if (f) f.value = v == null ? '' : v;
        }
        for (const [k, v] of Object.entries(base.extra || {})) { const f = form.querySelector('[name="extra.' + k + '"]'); if (f) f.value = v; }
        FieldStatus.setUp({ el, queue, showErrors, formData, today }, base);
        FieldStatus.specialFile({ el, queue, showErrors, formData }, base, snap && snap.special_kinds);
      }
    }
    if (params.get('op')) {
      replaced = await FieldDB.get('ops', params.get('op'));
      if (replaced) {
        const d = replaced.data;
        for (const [k, v] of Object.entries(d)) {
          if (k === 'kind') { const r = form.querySelector('[name=kind][value="' + v + '"]'); if (r) r.checked = true; continue; }
          if (k === 'extra') { for (const [a, b] of Object.entries(v)) { const f = form.querySelector('[name="extra.' + a + '"]'); if (f) f.value = b; } continue; }
          const f = form.querySelector('[name="' + k + '"]');
          if (f) f.value = v;
        }
        if (replaced.error) showErrors(form, $('#person-errors'), replaced.error.fields || { _: replaced.error.message });
      }
    }
    kindBox();
    // Birth date and sex follow from a valid ID number (the worker may still correct them; saving checks they agree).
    $('#person-id').addEventListener('input', () => {
      const id = FieldChecks.idNumber($('#person-id').value);
      if (!id.error) { $('#person-sex').value = id.sex; $('#person-birth').value = id.birth; }
    });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const d = formData(form);
      const errors = FieldChecks.person(d, snap ? snap.codes : {}, base);
      if (!showErrors(form, $('#person-errors'), errors)) return;
      if (d.grid_id) d.grid_id = Number(d.grid_id);
      let op;
      if (base) {
        const changes = {};
        for (const [k, v] of Object.entries(d)) {
          if (k === 'grid_id' || k === 'extra') continue;
          if (k === 'id_number' && v === base.id_number) continue;
          if (k === 'phone' && v === base.phone) continue;
          if (text(base[k]) !== text(v)) changes[k] = v;
        }
        for (const k of ['phone', 'address']) if (!d[k] && base[k]) changes[k] = '';
        if (!Object.keys(changes).length) { toast('没有改动'); return; }
        op = { kind: 'person.update', id: base.id, base_version: base.version, data: changes, label: '修改人员：' + base.name };
      } else {
        op = { kind: 'person.create', data: Object.assign({ extra: {} }, d), label: '登记人员：' + d.name };
      }
      FieldHousehold.refer(op.data, 'household_id', op);
      if (replaced) { op.id = replaced.id; op.ref_op = replaced.ref_op; op.base_version = replaced.base_version; op.kind = replaced.kind; await FieldDB.del('ops', replaced.op_id); }
      await queue(op, '已保存“' + d.name + '”');
      form.reset();
      kindBox();
      if (base || replaced) setTimeout(() => { location.href = replaced ? '/field/sync' : '/field/people'; }, 1500);
    });
  }

  async function renderPeople() {
    const list = $('#people-list');
    const all = await records('person');
    const draw = () => {
      const q = $('#people-q').value.trim();
      list.textContent = '';
      const hits = all.filter((p) => !q || p.name.includes(q) || (p.address || '').includes(q)).slice(0, 50);
      for (const p of hits) {
        list.append(el('li', {}, el('a', { href: '/field/person?id=' + p.id, class: 'person' },
          p.name + ' · ' + (KINDS[p.kind] || p.kind_label) + ' · ' + p.id_number + (p.address ? ' · ' + p.address : ''))));
      }
      if (!hits.length) list.append(el('li', { class: 'muted' }, all.length ? '没有找到' : '本机还没有本网格人员资料，请联网后回到首页刷新。'));
    };
    $('#people-q').addEventListener('input', draw);
    draw();
  }

  // Remembers the phone's position on a form (button “记下我的位置”).
  function locating() {
    for (const b of $$('.locate')) {
      b.addEventListener('click', () => {
        const form = document.getElementById(b.dataset.form);
        const out = $('[data-place-of="' + b.dataset.form + '"]');
        if (!navigator.geolocation) { out.textContent = '这部手机不能定位'; return; }
        out.textContent = '正在定位…';
        navigator.geolocation.getCurrentPosition((pos) => {
          form.dataset.lat = pos.coords.latitude.toFixed(6);
          form.dataset.lon = pos.coords.longitude.toFixed(6);
          out.textContent = '已记下位置（精度约 ' + Math.round(pos.coords.accuracy) + ' 米）';
        }, () => { out.textContent = '没有定位成功（请允许使用位置，或到空旷处再试）'; }, { enableHighAccuracy: true, timeout: 20000 });
      });
    }
  }
  const position = (form) => (form.dataset.lat ? { lat: Number(form.dataset.lat), lon: Number(form.dataset.lon) } : {});

  function renderHouse() {
    const form = $('#house-form');
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const d = formData(form);
      const errors = FieldChecks.house(d, snap ? snap.codes : {});
      if (!showErrors(form, $('#house-errors'), errors)) return;
      d.grid_id = Number(d.grid_id);
      await queue({ kind: 'house.create', data: Object.assign(d, position(form)), label: '登记房屋：' + d.house_no }, '已保存房屋 ' + d.house_no);
      form.reset();
    });
  }

  async function renderRental() {
    const list = $('#rental-houses');
    const form = $('#rental-form');
    const all = await records('house');
    let chosen = null;
    const draw = () => {
      const q = $('#rental-q').value.trim();
      list.textContent = '';
      const hits = all.filter((h) => !q || h.house_no.includes(q) || (h.address || '').includes(q)).slice(0, 30);
      for (const h of hits) {
        list.append(el('li', {}, el('button', { type: 'button', class: 'pick', onclick: () => {
          chosen = h;
          form.hidden = false;
          $('#rental-which').textContent = '出租房屋：' + h.house_no + ' · ' + h.address;
        } }, h.house_no + ' · ' + h.address)));
      }
      if (!hits.length) list.append(el('li', { class: 'muted' }, all.length ? '没有找到' : '本机还没有本网格的房屋，请先登记房屋并联网同步。'));
    };
    $('#rental-q').addEventListener('input', draw);
    draw();
    const tenants = await FieldHousehold.tenants({ el });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const d = formData(form);
      if (tenants.ids().length) d.tenant_ids = tenants.ids();
      const errors = FieldChecks.rental(d, snap ? snap.codes : {});
      if (!showErrors(form, $('#rental-errors'), errors)) return;
      d.house_id = chosen.id;
      await queue({ kind: 'rental.create', data: d, label: '登记出租房：' + chosen.house_no }, '已保存出租房');
      form.reset();
      tenants.clear();
      form.hidden = true;
    });
  }

  function renderPlace() {
    const form = $('#place-form');
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const d = formData(form);
      const errors = FieldChecks.place(d, snap ? snap.codes : {});
      if (!showErrors(form, $('#place-errors'), errors)) return;
      d.grid_id = Number(d.grid_id);
      await queue({ kind: 'place.create', data: Object.assign(d, position(form)), label: '登记场所：' + d.name }, '已保存场所“' + d.name + '”');
      form.reset();
    });
  }

  function renderEvent() {
    const form = $('#event-form');
    const photos = $('#event-photos');
    const cat = $('#event-category');
    cat.addEventListener('change', () => {
      const c = snap && snap.categories.find((x) => x.code === cat.value);
      $('#event-parties').hidden = !(c && c.dispute);
    });
    photos.addEventListener('change', () => {
      const box = $('#event-thumbs');
      box.textContent = '';
      for (const f of Array.from(photos.files).slice(0, 6)) box.append(el('img', { src: URL.createObjectURL(f), alt: '照片' }));
    });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const d = formData(form);
      if (d.details && d.details.how_many) d.details.how_many = Number(d.details.how_many);
      if (d.details && d.details.when) d.details.when = d.details.when.replace('T', ' ');
      const errors = FieldChecks.event(d, snap && snap.categories.find((c) => c.code === d.category));
      const files = Array.from(photos.files);
      if (files.length > 6) errors.photos = '最多 6 张照片';
      if (files.some((f) => f.size > 5 * 1024 * 1024)) errors.photos = '每张照片不能超过 5 MB';
      if (!showErrors(form, $('#event-errors'), errors)) return;
      if (d.details && d.details.where) d.address = d.details.where;
      if (d.handle_in_place) d.handle_in_place = true;
      Object.assign(d, position(form));
      const blobs = files.map((f) => new Blob([f], { type: f.type }));
      await queue({ kind: 'event.report', data: d, photos: blobs, label: '上报事件：' + d.title + (blobs.length ? '（' + blobs.length + ' 张照片）' : '') }, '已保存事件“' + d.title + '”');
      form.reset();
      $('#event-thumbs').textContent = '';
      delete form.dataset.lat;
    });
  }

  async function renderVisit() {
    const list = $('#visit-households');
    const form = $('#visit-form');
    const all = await records('household');
    let chosen = null;
    const choose = (h) => {
      chosen = h;
      form.hidden = false;
      $('#visit-which').textContent = '走访：' + h.household_no + (h.address ? ' · ' + h.address : '');
      form.querySelector('[name=visited_on]').value = today();
      form.querySelector('[name=note]').focus();
    };
    const draw = () => {
      const q = $('#visit-q').value.trim();
      list.textContent = '';
      const hits = all.filter((h) => !q || h.household_no.includes(q) || (h.address || '').includes(q)).slice(0, 30);
      for (const h of hits) list.append(el('li', {}, el('button', { type: 'button', class: 'pick', onclick: () => choose(h) }, h.household_no + (h.address ? ' · ' + h.address : ''))));
      if (!hits.length) list.append(el('li', { class: 'muted' }, all.length ? '没有找到' : '本机还没有本网格的户，请联网后回到首页刷新。'));
    };
    $('#visit-q').addEventListener('input', draw);
    draw();
    const pre = params.get('household') && all.find((h) => String(h.id) === params.get('household'));
    if (pre) choose(pre);
    // A special-population file due (from the to-do): its visit, without the household list.
    const special = params.get('person') && snap && snap.todo.visits_due.find((v) => v.subject_type === 'person' && String(v.subject_id) === params.get('person'));
    if (special) {
      list.hidden = true;
      $('#visit-q').closest('.field').hidden = true;
      form.querySelector('[name=kind]').closest('.field').hidden = true;
      choose({ id: special.subject_id, household_no: special.kind_label + ' ' + special.subject });
    }
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const d = formData(form);
      const errors = FieldChecks.visit(d, today(), !!special);
      if (!showErrors(form, $('#visit-errors'), errors)) return;
      const kind = special ? 'special.visit' : 'visit.record';
      await queue({ kind, id: chosen.id, data: d, label: '走访：' + chosen.household_no }, '已保存走访');
      form.reset();
      form.hidden = true;
    });
  }

  function render() {
    if (path === '/field/') renderHome();
    if (path === '/field/sync') FieldSyncView.render({ toast, refreshCount });
    if (path === '/field/patrol') FieldPatrol.refresh(snap);
  }

  async function signOut() {
    const n = (await FieldDB.ops()).length;
    if (!confirm(n ? '还有 ' + n + ' 条没有同步，退出后会被删除。确定退出吗？' : '确定退出登录吗？手机里的本网格资料会被清除。')) return;
    let csrf = '';
    try { csrf = await FieldSync.token(); } catch (e) { /* offline: still forget everything here */ }
    await FieldDB.wipeAll();
    if (navigator.serviceWorker) for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister();
    if (!csrf) { location.href = '/login'; return; }
    const f = el('form', { method: 'post', action: '/logout' }, el('input', { type: 'hidden', name: '_csrf', value: csrf }));
    document.body.append(f);
    f.submit();
  }

  async function start() {
    const screen = $$('main > section').find((s) => s.dataset.path === path) || $('#screen-home');
    screen.hidden = false;
    document.title = $('h1', screen).textContent + ' · 网格外勤';
    showNet();
    window.addEventListener('online', showNet);
    window.addEventListener('offline', showNet);
    if (await checkSession()) await loadSnapshot();
    // Opened straight at a task with nothing cached yet (a link, a bookmark): fetch the grid first.
    const fetchedFirst = !snap && navigator.onLine;
    if (fetchedFirst) await refreshSnapshot();
    fillSelects();
    locating();
    if (path === '/field/person') await renderPerson();
    if (path === '/field/people') await renderPeople();
    if (path === '/field/house') renderHouse();
    if (path === '/field/household') await FieldHousehold.setUp({ el, queue, showErrors, formData });
    if (path === '/field/rental') await renderRental();
    if (path === '/field/place') renderPlace();
    if (path === '/field/event') renderEvent();
    if (path === '/field/patrol') await FieldPatrol.render({ snap, queue, refreshCount });
    if (path === '/field/visit') await renderVisit();
    render();
    await refreshCount();
    $('#refresh').addEventListener('click', refreshSnapshot);
    $('#signout').addEventListener('click', signOut);
    $('#sync-now').addEventListener('click', async () => {
      $('#sync-status').textContent = '正在同步…';
      $('#sync-status').textContent = await FieldSync.syncNow();
    });
    FieldSync.onChange(async (what) => {
      if (what === 'signed-out') sessionGone();
      await refreshCount();
      if (path === '/field/sync') FieldSyncView.render({ toast, refreshCount });
    });
    if (navigator.serviceWorker) {
      navigator.serviceWorker.addEventListener('message', (e) => { if (e.data && e.data.type === 'signed-out') FieldDB.wipeCache().then(sessionGone); });
      navigator.serviceWorker.register('/field/sw.js', { scope: '/field/' }).catch((e) => console.warn('sw', e));
    }
    document.body.dataset.ready = '1';
    if (navigator.onLine) {
      if (!fetchedFirst) await refreshSnapshot();
      if (Number(document.body.dataset.waiting) > 0) FieldSync.syncNow();
    }
  }
  start();
})();
