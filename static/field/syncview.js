// 网格外勤的“同步”屏：等待发送的、有冲突的（“我的 / 系统里的”并排，不同的格子标黄）和没通过的（中文原因，可改可删）。
'use strict';
const FieldSyncView = (() => {
  const { $, el, label, text } = FieldUI;
  // Set by field.js: { toast, refreshCount }.
  let app = null;

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
    app.toast('将用您的内容覆盖系统里的这条记录');
    await FieldSync.syncNow();
  }
  async function useTheirs(op) {
    const kind = op.kind.split('.')[0];
    await FieldDB.del('ops', op.op_id);
    if (op.current && op.current.id) await FieldDB.put('records', Object.assign({ key: kind + ':' + op.current.id }, op.current));
    app.toast('已保留系统里的内容，您的这次修改已放弃');
    await app.refreshCount();
    renderSync();
  }
  async function drop(op) {
    if (!confirm('确定删除“' + (op.label || op.kind) + '”吗？删除后不会发送。')) return;
    await FieldDB.del('ops', op.op_id);
    app.toast('已删除');
    await app.refreshCount();
    renderSync();
  }

  return { render: (a) => { app = a; return renderSync(); } };
})();
