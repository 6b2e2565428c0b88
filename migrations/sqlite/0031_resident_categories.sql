-- What residents report most (checked against FixMyStreet's common categories: street lights, potholes,
-- broken paving, rubbish and fly-tipping, dog fouling, drains and flooding, graffiti and fly-posting,
-- abandoned vehicles, noise, trees) and the county's category tree did not have: 市政设施 (street lights,
-- roads, pavements, manhole covers, standing water, trees) and four second-level categories. Each
-- resident problem type of 随手拍 and each Open311 service is one of these categories
-- (`public::model::RESIDENT_CATEGORIES`). Sort numbers are spread out to make room.
UPDATE event_categories SET sort = sort * 10;
INSERT INTO event_categories (code, parent_code, name, sort, required_fields, is_dispute, accept_limit, handle_limit, verify_limit) VALUES
    ('0404', '04', '乱倒垃圾（含建筑垃圾）', 205, 'what,where', FALSE, '4h', '2d', '1d'),
    ('0504', '05', '废弃车辆（僵尸车）', 245, 'what,where', FALSE, '1d', '10d', '2d'),
    ('0505', '05', '噪声扰民', 246, 'what,where,when', FALSE, '2h', '1d', '1d'),
    ('11', NULL, '市政设施', 331, 'what,where', FALSE, '4h', '3d', '1d'),
    ('1101', '11', '路灯损坏', 332, 'what,where', FALSE, '1d', '3d', '1d'),
    ('1102', '11', '道路破损、坑洼', 333, 'what,where', FALSE, '4h', '5d', '1d'),
    ('1103', '11', '人行道、盲道破损', 334, 'what,where', FALSE, '1d', '5d', '1d'),
    ('1104', '11', '井盖缺失、破损', 335, 'what,where', FALSE, '1h', '1d', '4h'),
    ('1105', '11', '路面积水、内涝', 336, 'what,where', FALSE, '2h', '1d', '4h'),
    ('1106', '11', '树木倒伏、绿化损坏', 337, 'what,where', FALSE, '4h', '3d', '1d');
