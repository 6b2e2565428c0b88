// 网格外勤：登记户（户号、地址、所在房屋）和它的成员（登记人员时选所属户和与户主关系），出租房的承租人。
// 还没同步的户和房屋也能选：操作用 data_refs 指向登记它的那一条（household.create、house.create），同步时按顺序落地。
// 规则和措辞出自 registry/houses.rs（户号、地址）。
'use strict';
const FieldHousehold = (() => {
  const REF = 'op:';

  /// Cached records of a kind and the ones still waiting to be sent, as [value, label] choices.
  async function choices(kind, opKind, name) {
    const cached = (await FieldDB.all('records')).filter((r) => r.key.startsWith(kind + ':'));
    const waiting = (await FieldDB.ops()).filter((o) => o.kind === opKind);
    return cached.map((r) => [String(r.id), r[name] + (r.address ? ' · ' + r.address : '')])
      .concat(waiting.map((o) => [REF + o.op_id, o.data[name] + '（待同步）']));
  }

  function fill(app, select, list, none) {
    const keep = select.value;
    select.textContent = '';
    select.append(app.el('option', { value: '' }, none));
    for (const [v, l] of list) select.append(app.el('option', { value: v }, l));
    if (keep) select.value = keep;
  }

  /// Moves a chosen reference (`op:…`) into `data_refs`, a chosen id into a number.
  function refer(d, field, op) {
    const v = d[field];
    if (v == null || v === '') return;
    if (String(v).startsWith(REF)) { op.data_refs = Object.assign(op.data_refs || {}, { [field]: v.slice(REF.length) }); delete d[field]; } else d[field] = Number(v);
  }

  function check(d) {
    const e = {};
    const no = String(d.household_no || '').trim();
    if (!no) e.household_no = '请填写户号';
    else if (Array.from(no).length > 30) e.household_no = '户号不能超过 30 个字';
    else if (!/^[A-Za-z0-9-]+$/.test(no)) e.household_no = '户号只能由字母、数字和 - 组成';
    if (Array.from(String(d.address || '').trim()).length > 200) e.address = '地址不能超过 200 个字';
    return e;
  }

  /// The /field/household screen. `app`: { el, queue, showErrors, formData }.
  async function setUp(app) {
    const form = document.getElementById('household-form');
    fill(app, document.getElementById('household-house'), await choices('house', 'house.create', 'house_no'), '（不选房屋）');
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const d = app.formData(form);
      if (!app.showErrors(form, document.getElementById('household-errors'), check(d))) return;
      const op = { kind: 'household.create', label: '登记户：' + d.household_no };
      if (d.grid_id) d.grid_id = Number(d.grid_id);
      refer(d, 'house_id', op);
      op.data = d;
      const saved = await app.queue(op, '已保存户 ' + d.household_no);
      const next = document.getElementById('household-members');
      next.href = '/field/person?household=' + encodeURIComponent(REF + saved.op_id);
      next.hidden = false;
      form.reset();
    });
  }

  /// The person form's 所属户 choice (cached households and those waiting), preset from `?household=`.
  async function personChoice(app, preset) {
    const select = document.getElementById('person-household');
    fill(app, select, await choices('household', 'household.create', 'household_no'), '（不选户）');
    if (preset) select.value = preset;
  }

  /// The rental form's tenants: people of the phone's cache, found by name and toggled; answers a
  /// function giving the ids chosen (people registered offline can be added once they are sent).
  async function tenants(app) {
    const people = (await FieldDB.all('records')).filter((r) => r.key.startsWith('person:'));
    const chosen = new Map();
    const list = document.getElementById('tenant-list');
    const shown = document.getElementById('tenant-chosen');
    const draw = () => {
      const q = document.getElementById('tenant-q').value.trim();
      list.textContent = '';
      for (const p of q ? people.filter((p) => p.name.includes(q)).slice(0, 20) : []) {
        const on = chosen.has(p.id);
        list.append(app.el('li', {}, app.el('button', { type: 'button', class: 'pick' + (on ? ' on' : ''), 'data-person': String(p.id), onclick: () => {
          if (on) chosen.delete(p.id); else chosen.set(p.id, p.name);
          draw();
        } }, (on ? '✓ ' : '') + p.name + ' · ' + p.id_number)));
      }
      shown.textContent = chosen.size ? '承租人：' + Array.from(chosen.values()).join('、') : '';
    };
    document.getElementById('tenant-q').addEventListener('input', draw);
    draw();
    return { ids: () => Array.from(chosen.keys()), clear: () => { chosen.clear(); draw(); } };
  }

  return { setUp, personChoice, refer, check, tenants };
})();
