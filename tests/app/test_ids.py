"""Record ids made without uuid.UUID objects are the texts uuid makes."""

import uuid

from app.common.ids import named_id, random_id


def test_random_ids_are_version_4_uuids_as_uuid_writes_them():
    made = {random_id() for _ in range(5000)}
    assert len(made) == 5000
    for text in made:
        value = uuid.UUID(text)
        assert str(value) == text and value.version == 4 and value.variant == uuid.RFC_4122


def test_named_ids_are_uuid5s():
    namespace = uuid.UUID("7f6f3c1e-5d0a-4d8e-9a51-2b1c0e4f9a77")
    for name in ["", "a/b", "代表/网格", "𠮷" * 40, *(f"{uuid.uuid4()}/{uuid.uuid4()}" for _ in range(2000))]:
        assert named_id(namespace, name) == str(uuid.uuid5(namespace, name))
    assert named_id(uuid.NAMESPACE_DNS, "python.org") == "886313e1-3b8a-5372-9b90-0c9aee199e5d"
