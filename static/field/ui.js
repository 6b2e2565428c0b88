// 网格外勤各页共用的小工具：查找元素、建元素、字段的中文名、表单取值和标红错误。
'use strict';
const FieldUI = (() => {
  const $ = (s, el) => (el || document).querySelector(s);
  const $$ = (s, el) => Array.from((el || document).querySelectorAll(s));

  const LABELS = {
    kind: '人员类别', name: '姓名', id_number: '身份证号码', phone: '手机号', address: '地址', grid_id: '所属网格',
    occupation: '职业', workplace: '服务处所', extra: '附加信息', house_no: '房屋编号', house_use: '房屋用途',
    owner_name: '房主姓名', household_no: '户号', household_id: '所属户', relation_to_head: '与户主关系', landlord_name: '房东姓名', landlord_phone: '房东电话', tenant_ids: '承租人',
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

  return { $, $$, LABELS, KINDS, label, text, today, el, formData, showErrors };
})();
