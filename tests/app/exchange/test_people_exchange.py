"""Issue 25's new records travel between offices: a survey with who went and its photo, a supervision
with its participants, a group discussion and an election."""

from __future__ import annotations

from datetime import date

from tests.app.exchange.conftest import send

TODAY = date.today().isoformat()


def test_a_survey_and_its_photo_a_supervision_with_its_delegates_arrive_at_the_other_office(offices, tmp_path):
    from PIL import Image

    from app.storage import attachments

    stores, stick = offices
    a, b = stores["A"], stores["B"]
    send(a, b, stick)
    delegate = a.rows("SELECT id, group_id FROM delegates WHERE status = 'active' ORDER BY id LIMIT 1")[0]
    opinion = a.opinions.create({"source": "grid_visit", "received_on": TODAY, "delegate_id": delegate["id"],
                                 "title": "学生上学乘车难"}).created("opinions")[0]
    topic = a.topics.create({"title": "增设学生公交线路", "group_id": delegate["group_id"]}, [opinion],
                            day=TODAY).created("topics")[0]
    survey = a.surveys.save(topic, {"day": TODAY, "place": "公交站", "units": ["公交公司"]},
                            [delegate["id"]]).created("field_surveys")[0]
    picture = tmp_path / "站台.png"
    Image.new("RGB", (40, 30), "blue").save(picture)
    a.surveys.add_photo(survey, picture)
    a.opinions.assign(opinion, "department", "交通局", 10, day=TODAY)
    a.opinions.supervise(opinion, TODAY, "实地", "随同查看", "", [delegate["id"]])
    send(a, b, stick)
    arrived = b.surveys.list(topic)
    assert arrived[0]["delegate_ids"] == [delegate["id"]] and arrived[0]["units_list"] == ["公交公司"]
    assert attachments.intact(b, arrived[0]["photos"][0])
    assert b.opinions.supervisions(opinion)[-1]["delegates"]
