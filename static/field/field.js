// 网格外勤的页面：按地址显示一件事（待办、登记人员、查找人员、登记房屋、上报事件、巡查、走访、同步），
// 读本机缓存先显示，联网时再刷新；保存的内容进入待同步队列，几秒内可撤销。
'use strict';
(() => {
  const $ = (s, el) => (el || document).querySelector(s);
  const $$ = (s, el) => Array.from((el || document).querySelectorAll(s));
  const params = new URLSearchParams(location.search);
  const path = location.pathname === '/field' ? '/field/' : location.pathname;
  const UNDO_MS = 8000;
  let snap = null;

  const LABELS = {
    kind: '人员类别', name: '姓名', id_number: '身份证号码', phone: '手机号', address: '地址', grid_id: '所属网格',
    occupation: '职业', workplace: '服务处所', extra: '附加信息', house_no: '房屋编号', house_use: '房屋用途',
    owner_name: '房主姓名', household_no: '户号', household_id: '所属户', relation_to_head: '与户主关系', landlord_name: '房东姓名', landlord_phone: '房东电话',
    start_date: '起租日期', rental_use: '出租用途', place_type: '场所类型', safety_person: '安全责任人', sex: '性别', birth_date: '出生日期', status: '状态', date: '日期', reason: '原因', contact_phone: '联系电话',
    category: '事件类别', title: '标题', details: '事情经过', visited_on: '走访日期', note: '走访情况',
    next_visit_due: '下次走访日期', lon: '经度', lat: '纬度', version: '版本',
    'extra.reason': '流入原因', 'extra.from_place': '来源地', 'extra.arrived_on': '流入日期',
    'extra.permit_type': '居住证件类型', 'extra.left_behind_type': '留守类型', 'details.what': '事情经过',
    'details.where': '具体地点', 'details.when': '发生时间', 'details.who': '涉及人员', 'details.how_many': '涉及人数', 'details.parties': '当事人', photos: '照片',
  };
  const KINDS = { registered: '户籍人口', floating: '流动人口', left_behind: '留守人员', foreigner: '境外人员' };
  const label = (f) => LABELS[f] || f;
  const text = (v) => (v == null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const today = () => { const d = new Date(Date.now() + 8 * 3600000); return d.toISOString().slice(0, 10); };
  const el = (tag, attrs, ...kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
    }
    for (const k of kids) if (k != null) e.append(k);
    return e;
  };

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

  // ---- forms ----
  function formData(form) {
    const out = {};
    for (const f of $$('input, select, textarea', form)) {
      if (!f.name || f.type === 'file' || f.closest('[hidden]')) continue;
      if (f.type === 'radio' && !f.checked) continue;
      if (f.type === 'checkbox') { if (f.checked) out[f.name] = true; continue; }
      const v = f.value.trim();
      if (v === '') continue;
      const [a, b] = f.name.split('.');
      if (b) { out[a] = out[a] || {}; out[a][b] = v; } else out[a] = v;
    }
    return out;
  }
  function showErrors(form, box, errors) {
    for (const f of $$('.field', form)) { f.classList.remove('bad'); const e = $('.err', f); if (e) e.remove(); }
    const keys = Object.keys(errors);
    box.hidden = keys.length === 0;
    box.textContent = keys.length ? '请改正标红的 ' + keys.length + ' 处' : '';
    for (const k of keys) {
      const input = form.querySelector('[name="' + k + '"]');
      const wrap = input && input.closest('.field');
      if (wrap) { wrap.classList.add('bad'); wrap.append(el('span', { class: 'err' }, errors[k])); } else box.textContent += '；' + errors[k];
    }
    if (keys.length) { const first = form.querySelector('.bad input, .bad select, .bad textarea'); if (first) first.focus(); }
    return keys.length === 0;
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
      const go = v.subject_type === 'household' ? el('a', { href: '/field/visit?household=' + v.subject_id }, what) : el('span', {}, what);
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
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const d = formData(form);
      const errors = FieldChecks.rental(d, snap ? snap.codes : {});
      if (!showErrors(form, $('#rental-errors'), errors)) return;
      d.house_id = chosen.id;
      await queue({ kind: 'rental.create', data: d, label: '登记出租房：' + chosen.house_no }, '已保存出租房');
      form.reset();
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

  let watcher = null;
  async function renderPatrol() {
    let p = await FieldDB.meta('patrol');
    if (!p && snap && snap.todo.patrol) { p = { id: snap.todo.patrol.id, started_at: snap.todo.patrol.started_at, points: [] }; await FieldDB.setMeta('patrol', p); }
    const target = (x) => (x.id ? { id: x.id } : { ref_op: x.start_op });
    const draw = () => {
      $('#patrol-start').hidden = !!p;
      $('#patrol-running').hidden = !p;
      $('#patrol-status').textContent = p ? '巡查中：已 ' + Math.round((Date.now() - p.started_at) / 60000) + ' 分钟，记下 ' + (p.count || 0) + ' 个位置' : '还没有开始巡查。';
    };
    const watch = () => {
      if (!p || watcher != null || !navigator.geolocation) return;
      watcher = navigator.geolocation.watchPosition(async (pos) => {
        p.points = p.points || [];
        p.points.push({ lat: pos.coords.latitude, lng: pos.coords.longitude, accuracy: Math.max(1, pos.coords.accuracy), at: pos.timestamp });
        p.count = (p.count || 0) + 1;
        if (p.points.length >= 20) {
          await FieldDB.addOp(Object.assign({ kind: 'patrol.points', data: { points: p.points }, label: '巡查轨迹（' + p.points.length + ' 个位置）' }, target(p)));
          p.points = [];
          refreshCount();
        }
        await FieldDB.setMeta('patrol', p);
        draw();
      }, () => {}, { enableHighAccuracy: true, maximumAge: 10000 });
    };
    FieldPatrol.setUp({
      el, queue, showErrors, formData,
      target: () => (p ? target(p) : null),
      lastPoint: () => (p && p.points && p.points.length ? p.points[p.points.length - 1] : null),
    }, snap && snap.todo.checklist);
    $('#patrol-start').addEventListener('click', async () => {
      const op = await queue({ kind: 'patrol.start', data: { started_at: Date.now() }, label: '开始巡查' }, '已开始巡查', async () => {
        if (watcher != null) navigator.geolocation.clearWatch(watcher);
        watcher = null;
        p = null;
        await FieldDB.setMeta('patrol', null);
        draw();
      });
      p = { start_op: op.op_id, started_at: op.data.started_at, points: [], count: 0 };
      await FieldDB.setMeta('patrol', p);
      draw();
      watch();
    });
    $('#patrol-end').addEventListener('click', async () => {
      if (!confirm('确定结束这次巡查吗？')) return;
      if (watcher != null) navigator.geolocation.clearWatch(watcher);
      watcher = null;
      const data = { note: $('#patrol-note').value.trim(), ended_at: Date.now() };
      if (p.points && p.points.length) data.points = p.points;
      const ended = p;
      await queue(Object.assign({ kind: 'patrol.end', data, label: '结束巡查' }, target(p)), '已结束巡查', async () => {
        p = ended;
        await FieldDB.setMeta('patrol', p);
        draw();
        watch();
      });
      await FieldDB.setMeta('patrol', null);
      p = null;
      draw();
    });
    draw();
    watch();
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
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const d = formData(form);
      const errors = FieldChecks.visit(d, today());
      if (!showErrors(form, $('#visit-errors'), errors)) return;
      await queue({ kind: 'visit.record', id: chosen.id, data: d, label: '走访：' + chosen.household_no }, '已保存走访');
      form.reset();
      form.hidden = true;
    });
  }

  // ---- the sync screen: waiting, conflicts (side by side), refusals ----
  function compare(op) {
    const cur = op.current || {};
    const t = el('table', { class: 'compare' }, el('tr', {}, el('th', {}, '项目'), el('th', {}, '我的'), el('th', {}, '系统里的')));
    for (const [k, mine] of Object.entries(op.data)) {
      const theirs = cur[k];
      const row = el('tr', { class: text(mine) === text(theirs) ? 'same' : 'diff' }, el('td', {}, label(k)), el('td', {}, text(mine)), el('td', {}, text(theirs)));
      t.append(row);
    }
    return t;
  }
  async function renderSync() {
    const list = $('#sync-list');
    const ops = await FieldDB.ops();
    list.textContent = '';
    if (!ops.length) list.append(el('li', { class: 'muted' }, '没有待同步的内容。'));
    for (const op of ops) {
      const tag = { waiting: ['waiting', '等待发送'], conflict: ['conflict', '有冲突'], rejected: ['rejected', '没通过'] }[op.status];
      const li = el('li', { 'data-op': op.op_id, class: 'op-' + op.status }, el('span', { class: 'tag ' + tag[0] }, tag[1]), op.label || op.kind);
      if (op.status === 'conflict') {
        li.append(el('p', {}, '您离线时，别人也改了这条记录。请对照（黄色是两边不一样的地方）后选择：'), compare(op),
          el('div', { class: 'actions' },
            el('button', { type: 'button', class: 'use-mine', onclick: () => useMine(op) }, '用我的'),
            el('button', { type: 'button', class: 'use-theirs secondary', onclick: () => useTheirs(op) }, '用系统里的')));
      } else if (op.status === 'rejected') {
        const errs = Object.entries((op.error && op.error.fields) || {}).map(([k, v]) => label(k) + '：' + v);
        li.append(el('p', { class: 'msg err' }, (op.error && op.error.message) || '没有通过检查'));
        if (errs.length > 1) li.append(el('ul', {}, ...errs.map((e) => el('li', {}, e))));
        const acts = el('div', { class: 'actions' });
        if (op.kind === 'person.create' || op.kind === 'person.update') acts.append(el('button', { type: 'button', onclick: () => { location.href = '/field/person?op=' + op.op_id; } }, '修改'));
        acts.append(el('button', { type: 'button', class: 'danger', onclick: () => drop(op) }, '删除'));
        li.append(acts);
      }
      list.append(li);
    }
    const last = await FieldDB.meta('last_sync');
    if (last && !$('#sync-status').textContent) $('#sync-status').textContent = '上次同步：' + new Date(last).toLocaleString('zh-CN');
  }
  async function useMine(op) {
    const again = Object.assign({}, op, { op_id: FieldDB.newId(), status: 'waiting', base_version: op.current.version, created: Date.now() });
    delete again.current;
    await FieldDB.del('ops', op.op_id);
    await FieldDB.put('ops', again);
    toast('将用您的内容覆盖系统里的这条记录');
    await FieldSync.syncNow();
  }
  async function useTheirs(op) {
    const kind = op.kind.split('.')[0];
    await FieldDB.del('ops', op.op_id);
    if (op.current && op.current.id) await FieldDB.put('records', Object.assign({ key: kind + ':' + op.current.id }, op.current));
    toast('已保留系统里的内容，您的这次修改已放弃');
    await refreshCount();
    renderSync();
  }
  async function drop(op) {
    if (!confirm('确定删除“' + (op.label || op.kind) + '”吗？删除后不会发送。')) return;
    await FieldDB.del('ops', op.op_id);
    toast('已删除');
    await refreshCount();
    renderSync();
  }

  function render() {
    if (path === '/field/') renderHome();
    if (path === '/field/sync') renderSync();
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
    if (path === '/field/patrol') await renderPatrol();
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
      if (path === '/field/sync') renderSync();
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
