"""Names of the office settings, for forms and messages."""

SETTING_LABELS = {
    "site_name": "办公室名称",
    "unit_name": "单位名称（用于台账抬头）",
    "subdistrict": "街道名称",
    "serial_code": "本办公室编号代码",
    "current_term_id": "当前届次",
    "report_working_days": "上报组长时限（收集后几个工作日内）",
    "topic_working_days": "确定议题时限（上报组长后几个工作日内）",
    "approval_working_days": "工委审核时限（列入议题后几个工作日内）",
    "assign_working_days": "交办时限（集中议事后几个工作日内）",
    "feedback_working_days": "反馈代表时限（办结后几个工作日内）",
    "reopen_working_days": "重办时限（群众不满意后几个工作日内）",
    "certificate_prefix": "聘书编号前缀（如：中山路议聘）",
    "contact_phone": "工委联系电话（用于公示）",
    "clerk_name": "工作人员姓名（文书和台账的操作人、记录人）",
    "seal_layout": "落款样式",
    "register_paper": "台账打印纸张",
    "issuer_mark": "发文机关标志（版头，如：中山路街道人大工委文件）",
    "doc_number_pattern": "发文字号格式（{年} 和 {号} 处填入年份和序号）",
    "signer": "签发人（上行文，如报区人大常委会的备案报告）",
    "reviewer": "审核人（工委审核议题时预先填写）",
    "printer_name": "印发机关（版记）",
    "brief_report_to": "工作简报报送（报：）",
    "brief_send_to": "工作简报抄送（送：）",
    "brief_issue_to": "工作简报分发（发：）",
    "doc_cc": "抄送机关（版记，多个用顿号分隔）",
    "font_title": "标题字体文件（小标宋）",
    "font_fangsong": "正文字体文件（仿宋）",
    "font_hei": "一级标题字体文件（黑体）",
    "font_kai": "二级标题字体文件（楷体）",
    "font_song": "页码字体文件（宋体）",
}

# The paper registers print on (landscape): A4 unless the office prints A3 (more columns printed).
REGISTER_PAPERS = {"a4": "A4（默认）", "a3": "A3（打印更多的列）"}
