"""制度建设 and the contact lists: kept, listed, printed, cited."""

import pytest
from openpyxl import load_workbook

from app.common.errors import ValidationError
from app.registers.catalog import export_register


def test_the_demo_holds_the_reports_institutions(demo):
    basis = demo.institutions.summary()
    assert len(basis["studies"]) == 3 and len(basis["rules"]) == 4  # 3 次专题研究, 4 项制度
    assert basis["plan"]["title"].endswith("实施方案") and basis["plan"]["doc_number"]
    assert "议事代表联系接待群众制度" in {r["title"] for r in basis["rules"]}
    members = demo.institutions.members(basis["leading_group"]["id"])
    assert [m["role"] for m in members][:2] == ["组长", "副组长"]


def test_a_leading_group_keeps_its_members_and_a_bad_line_is_named(store):
    with pytest.raises(ValidationError, match="成员第 2 行"):
        store.institutions.create({"kind": "leading_group", "title": "领导小组", "day": "2024-10-20",
                                   "members": "组长：王某（书记）\n组员 李某"})
    with pytest.raises(ValidationError, match="请填写领导小组成员"):
        store.institutions.create({"kind": "leading_group", "title": "领导小组", "day": "2024-10-20"})
    group = store.institutions.create({"kind": "leading_group", "title": "领导小组", "day": "2024-10-20",
                                       "members": "组长：王某（书记）\n成员：李某"}).created("institutions")[0]
    store.institutions.update(group, {"members": "组长：王某（书记）\n副组长：赵某（主任）\n成员：李某"})
    assert store.institutions.members_text(group) == "组长：王某（书记）\n副组长：赵某（主任）\n成员：李某"
    rule = store.institutions.create({"kind": "rule", "title": "议事代表联系接待群众制度", "day": "2024-11-28"})
    assert store.institutions.get(rule.created("institutions")[0])["status"] == "in_force"
    store.institutions.delete(group)
    store.recycle.restore("institutions", group)
    assert len(store.institutions.members(group)) == 3  # restored whole


def test_contact_lists_carry_phones(demo, tmp_path):
    result = export_register(demo, "contacts", tmp_path / "c.xlsx")
    assert result["rows"] == 534  # every grid, each with its delegate
    ws = load_workbook(tmp_path / "c.xlsx").active
    header = [c.value for c in ws[3]]
    phone = header.index("联系电话") + 1
    phones = [ws.cell(r, phone).value for r in range(4, ws.max_row + 1) if isinstance(ws.cell(r, 1).value, int)]
    assert all(p and len(p) == 11 for p in phones)
    community = demo.communities.list()[0]
    one = export_register(demo, "contacts", tmp_path / "one.xlsx", community_id=community["id"])
    assert 0 < one["rows"] < 534
    assert community["name"] in next(c.value for c in load_workbook(tmp_path / "one.xlsx").active[1] if c.value)
    assert export_register(demo, "institutions", tmp_path / "i.xlsx")["rows"] == 9


def test_a_meetings_notice_list_has_phones_and_text(demo):
    meeting = demo.rows("SELECT id FROM meetings WHERE kind = 'plenary' ORDER BY date DESC LIMIT 1")[0]["id"]
    contacts = demo.attendance.contact_list(meeting)
    assert len(contacts["people"]) == 70 and not contacts["missing_phone"]
    assert contacts["phones"].count("，") == 69
    title = demo.meetings.get(meeting)["title"]
    assert title in contacts["text"] and "请准时参加" in contacts["text"]
