"""Names of the office settings, for forms and messages."""

SETTING_LABELS = {
    "site_name": "办公室名称",
    "unit_name": "单位名称（用于台账抬头）",
    "subdistrict": "街道名称",
    "serial_code": "本办公室编号代码",
    "current_term_id": "当前届次",
    "certificate_prefix": "聘书编号前缀（如：中山路议聘）",
    "contact_phone": "工委联系电话（用于公示）",
}
