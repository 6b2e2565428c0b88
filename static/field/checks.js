// 网格外勤：保存前在手机上就能做的检查（不需要服务器的那些），用服务器的原话。服务器照样全部再查一遍。
// 规则和措辞出自：身份证 registry/id_number.rs，人员 registry/persons.rs，附加信息 registry/model.rs（check_extra），
// 文字和电话 org/model.rs（check_text、check_phone），房屋、出租房、场所 registry/houses.rs，事件 events/model.rs 和
// events/service.rs，走访 visits/model.rs。tests/browser/field_checks.rs 逐条对照服务器的答复。
'use strict';
const FieldChecks = (() => {
  const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const CHECK = '10X98765432';
  const PROVINCES = ['11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37', '41', '42',
    '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65', '71', '81', '82', '83'];
  const chars = (s) => Array.from(s || '').length;
  // A control character other than tab and line breaks (what the server calls 不可见字符).
  const hidden = (s, keep) => Array.from(s).some((c) => { const n = c.codePointAt(0); return (n < 32 || (n >= 127 && n < 160)) && !keep.includes(c); });

  /// A real calendar day `YYYY-MM-DD` (also inside an ID number as YYYYMMDD).
  function isDate(s) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || '');
    if (!m) return false;
    const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
  }

  /// GB 11643: answers { error } or { number, birth, sex } (sex male/female from the 17th digit).
  function idNumber(raw) {
    const s = String(raw || '').trim().toUpperCase();
    if (chars(s) !== 18) return { error: '身份证号码应为 18 位' };
    const body = s.slice(0, 17);
    const last = s[17];
    if (!/^\d{17}$/.test(body) || !/^[\dX]$/.test(last)) return { error: '身份证号码只能是数字，最后一位可以是 X' };
    if (!PROVINCES.includes(body.slice(0, 2))) return { error: '身份证号码前两位不是有效的省级代码' };
    const birth = body.slice(6, 10) + '-' + body.slice(10, 12) + '-' + body.slice(12, 14);
    if (!isDate(birth)) return { error: '身份证号码中的出生日期无效' };
    let sum = 0;
    for (let i = 0; i < 17; i++) sum += Number(body[i]) * WEIGHTS[i];
    if (CHECK[sum % 11] !== last) return { error: '身份证号码校验位不正确，请核对' };
    return { number: s, birth, sex: Number(body[16]) % 2 === 1 ? 'male' : 'female' };
  }

  /// org::model::check_text: required, at most `max` characters, no hidden characters.
  function text(e, field, label, v, max, required) {
    const t = String(v || '').trim();
    if (!t) { if (required) e[field] = '请填写' + label; return; }
    if (chars(t) > max) e[field] = label + '不能超过 ' + max + ' 个字';
    else if (hidden(t, '\n\r\t')) e[field] = label + '含有不可见字符';
  }
  /// org::model::check_phone: a mobile (11 digits, 13x–19x) or a landline with its area code.
  function phone(e, field, v, required) {
    const s = String(v || '').trim().replace(/ /g, '');
    if (!s) { if (required) e[field] = '请填写联系电话'; return; }
    if (/^1[3-9]\d{9}$/.test(s) || /^0\d{2,3}-\d{7,8}$/.test(s)) return;
    e[field] = '电话号码格式不正确（手机 11 位，或座机如 0816-1234567）';
  }
  /// A value of a code table (registry/houses.rs `code`); `codes` is the snapshot's table.
  function code(e, field, label, v, table, required) {
    if (!v) { if (required) e[field] = '请选择' + label; return; }
    if (table && !table.some(([c, l]) => c === v || l === v)) e[field] = label + '不是代码表中的值';
  }

  // The extra fields the phone's person form has (registry/model.rs), by kind: key, label, type, required.
  const EXTRA = {
    floating: [['permit_type', '居住证件类型', 'code', true], ['reason', '流入原因', 'text', true],
      ['from_place', '来源地', 'text', true], ['arrived_on', '流入日期', 'date', true]],
    left_behind: [['left_behind_type', '留守类型', 'code', true]],
  };

  /// A person to register (`base` null) or the changes to one (`base` the cached record).
  function person(d, codes, base) {
    const e = {};
    if (!base || 'name' in d) text(e, 'name', '姓名', d.name, 50, true);
    text(e, 'address', '现住址', d.address, 200, false);
    text(e, 'occupation', '职业', d.occupation, 50, false);
    text(e, 'workplace', '服务处所', d.workplace, 100, false);
    if (!base) {
      if (!String(d.id_number || '').trim()) e.id_number = '请填写证件号码';
      else {
        const id = idNumber(d.id_number);
        if (id.error) e.id_number = id.error;
        else {
          if (d.birth_date && d.birth_date !== id.birth) e.birth_date = '出生日期与身份证号码不一致（应为 ' + id.birth + '）';
          if (d.sex && d.sex !== id.sex) e.sex = '性别与身份证号码不一致';
        }
      }
      for (const [key, label, type, required] of EXTRA[d.kind] || []) {
        const name = 'extra.' + key;
        const v = String((d.extra || {})[key] || '').trim();
        if (!v) { if (required) e[name] = '请填写' + label; continue; }
        if (chars(v) > 200) e[name] = label + '不能超过 200 个字';
        else if (type === 'date' && !isDate(v)) e[name] = label + '应为日期，如 2026-03-01';
        else if (type === 'code' && !(codes[key] || []).some(([c, l]) => c === v || l === v)) e[name] = label + '不是代码表中的值';
      }
    }
    if (d.phone && !(base && d.phone === base.phone)) phone(e, 'phone', d.phone, false);
    if (d.relation_to_head && !(codes.relation || []).some(([c, l]) => c === d.relation_to_head || l === d.relation_to_head)) {
      e.relation_to_head = '与户主关系不是代码表中的值';
    }
    return e;
  }

  function house(d, codes) {
    const e = {};
    text(e, 'house_no', '房屋编号', d.house_no, 40, true);
    if (!e.house_no && d.house_no && !/^[A-Za-z0-9-]+$/.test(d.house_no)) e.house_no = '房屋编号只能由字母、数字和 - 组成';
    text(e, 'address', '地址', d.address, 200, false);
    if (!e.address && !d.address) e.address = '请填写标准地址（街路巷、楼栋、单元、房号）';
    code(e, 'house_use', '房屋用途', d.house_use, codes.house_use, true);
    text(e, 'owner_name', '房主姓名', d.owner_name, 50, false);
    return e;
  }

  function rental(d, codes) {
    const e = {};
    text(e, 'landlord_name', '房东姓名', d.landlord_name, 50, true);
    phone(e, 'landlord_phone', d.landlord_phone, false);
    if (!isDate(d.start_date)) e.start_date = '请填写租赁起始日期（年-月-日）';
    code(e, 'rental_use', '出租用途', d.rental_use, codes.rental_use, true);
    if ((d.tenant_ids || []).length > 50) e.tenant_ids = '承租人最多 50 人';
    return e;
  }

  function place(d, codes) {
    const e = {};
    text(e, 'name', '名称', d.name, 100, true);
    code(e, 'place_type', '场所类型', d.place_type, codes.place_type, true);
    text(e, 'safety_person', '安全责任人', d.safety_person, 50, true);
    phone(e, 'contact_phone', d.contact_phone, true);
    text(e, 'address', '地址', d.address, 200, true);
    return e;
  }

  /// events/service.rs check_text: at least `min`, at most `max` characters.
  function eventText(e, field, label, v, min, max) {
    const n = chars(String(v || '').trim());
    if (n < min) e[field] = min <= 1 ? '请填写' + label : label + '至少 ' + min + ' 个字';
    else if (n > max) e[field] = label + '最多 ' + max + ' 个字';
    else if (hidden(String(v || ''), '\n')) e[field] = label + '含有不可见字符';
  }

  /// An event report; `category` is the snapshot's category chosen (or undefined).
  function event(d, category) {
    const e = {};
    if (!d.category) e.category = '请选择事件类别';
    else if (!category) e.category = '事件类别不存在或已停用';
    eventText(e, 'title', '标题', d.title, 4, 60);
    const t = d.details || {};
    const req = (p) => !!category && String(category.required || '').split(',').some((r) => r.trim() === p);
    const what = String(t.what || '').trim();
    if (chars(what) < 10) e['details.what'] = '请把事情经过写清楚（至少 10 个字：发生了什么、现在什么情况）';
    else if (chars(what) > 2000) e['details.what'] = '事情经过最多 2000 字';
    if (req('where') && !String(t.where || '').trim()) e['details.where'] = '请填写具体地点';
    if (chars(String(t.where || '').trim()) > 200) e['details.where'] = '地点最多 200 字';
    const when = String(t.when || '').trim();
    if (req('when') && !when) e['details.when'] = '请填写发生时间';
    else if (when && !(isDate(when) || (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/.test(when) && isDate(when.slice(0, 10))))) {
      e['details.when'] = '发生时间格式应为 2026-03-05 或 2026-03-05 14:30';
    }
    if (req('who') && !String(t.who || '').trim()) e['details.who'] = '请填写涉及人员';
    if (t.how_many == null || t.how_many === '') { if (req('how_many')) e['details.how_many'] = '请填写涉及人数'; } else if (!(Number.isInteger(t.how_many) && t.how_many >= 1 && t.how_many <= 100000)) e['details.how_many'] = '涉及人数应在 1–100000 之间';
    if (category && category.dispute && !String(t.parties || '').trim()) e['details.parties'] = '矛盾纠纷请填写当事人';
    return e;
  }

  /// A household visit on `today` (Beijing date), or a special-population file's (registry/special.rs).
  function visit(d, today, special) {
    const e = {};
    if (!d.visited_on) e.visited_on = '请填写走访日期';
    else if (!isDate(d.visited_on)) e.visited_on = '日期格式应为 年-月-日，例如 2026-03-01';
    else if (d.visited_on > today) e.visited_on = '走访日期不能晚于今天';
    text(e, 'note', '走访情况', d.note, special ? 1000 : 500, true);
    if (d.next_visit_due) {
      if (!isDate(d.next_visit_due)) e.next_visit_due = '日期格式应为 年-月-日，例如 2026-03-01';
      else if (isDate(d.visited_on) && d.next_visit_due <= d.visited_on) e.next_visit_due = special ? '下次走访日期应晚于本次' : '下次走访日期应晚于本次走访日期';
    }
    return e;
  }

  return { idNumber, isDate, person, house, rental, place, event, visit };
})();
