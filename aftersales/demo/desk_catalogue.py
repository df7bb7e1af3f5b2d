"""What the demo's intake, knowledge base and quality loop say: the calls, faxes and alerts that arrive, the
articles and problems written from them, follow-up comments and complaints. Invented, in Chinese for the
Chinese customers. Times are hours before the moment the demo is loaded, so every load shows the same week.
"""

from dataclasses import dataclass, field

from aftersales.tickets.choices import Kind, ResolutionMethod

# Intake ---------------------------------------------------------------------------------------------------------

TELEPHONE_SYSTEM = "呼叫中心（400 服务热线）"
EXTENSIONS = {"8001": "agent", "8002": "agent2", "8003": "dispatcher"}
HOTLINE = "+864008871234"  # the number customers call (400 热线), as the telephone system reports it


@dataclass(frozen=True)
class CallSpec:
    call_id: str
    hours_ago: float
    caller: str
    extension: str
    handling: str  # "ticket", "log", "dismiss", or "ringing"
    ticket: dict = field(default_factory=dict)  # for "ticket": customer, site, product, title, description, kind
    note: str = ""  # for "log": what was said


CALLS: tuple[CallSpec, ...] = (
    CallSpec(
        "AV-20-0001",
        75,
        "+8613857102233",
        "8001",
        "ticket",
        ticket={
            "customer": "HZGJJ",
            "site": "中心机房",
            "product": "hw-2288h",
            "title": "中心机房 FusionServer 服务器风扇告警，进风温度偏高",
            "description": "沈丽华来电：中心机房一台 FusionServer 服务器前面板告警灯黄色闪烁，iBMC 提示风扇 3 转速异常，"
            "进风温度 38℃，业务暂未中断，请安排工程师检查。",
            "kind": Kind.GENERAL_FAULT,
            "assign": ("engineer", "杭州二线组"),
        },
    ),
    CallSpec(
        "AV-20-0002",
        50,
        "075512345678",
        "8002",
        "dismiss",
    ),
    CallSpec(
        "AV-20-0003",
        28,
        "+8613805740011",
        "8002",
        "ticket",
        ticket={
            "customer": "NBHL",
            "site": "总部数据中心",
            "product": "",
            "title": "ERP 系统月结期间登录缓慢",
            "description": "应国华来电：今天上午起 ERP 系统登录需要一分多钟，财务正在月结，希望尽快排查数据库和应用服务器。",
            "kind": Kind.GENERAL_FAULT,
            "assign": None,
        },
    ),
    CallSpec(
        "AV-20-0004",
        0.25,
        "+8613880800202",
        "8001",
        "log",
        note="罗晓燕主任来电询问 HIS 数据库原厂分析进度，已告知原厂今晚给出结论，届时电话回复。",
    ),
    CallSpec("AV-20-0005", 0.1, "+8615968104455", "8001", "ringing"),
    CallSpec("AV-20-0006", 0.05, "+862558886666", "8001", "ringing"),
)


# customer1 reports a printer fault in the portal (the search box's usual first try: 打印机).
PORTAL_TICKET = {
    "hours_ago": 2.5,
    "site": "萧山分中心",
    "title": "萧山分中心柜面票据打印机无法打印",
    "description": "萧山分中心 2 号柜台的票据打印机从今天上午开始无法打印，打印任务一直排队，重启打印机和电脑后仍然故障，"
    "柜面只能手工开具凭证，请尽快安排处理。",
    "kind": Kind.GENERAL_FAULT,
}


@dataclass(frozen=True)
class FaxSpec:
    hours_ago: float
    fax_number: str
    file_name: str
    summary: str
    handling: str  # "auto" (the sender is known), "wait", "assign", "dismiss"
    assign_to: dict = field(default_factory=dict)
    dismiss_reason: str = ""
    lines: tuple[str, ...] = ()


FAXES: tuple[FaxSpec, ...] = (
    FaxSpec(
        98,
        "+8618982000505",
        "东区分院维护请求单.pdf",
        "东区分院 H3C 接入交换机两台端口指示灯异常，申请上门检查",
        "auto",
        lines=(
            "Maintenance request form (fax)",
            "From: Chengdu Jinjiang Central Hospital, East Branch, Equipment Dept.",
            "Contact: Feng Tao  +86 189 8200 0505",
            "Two H3C S5560X access switches: port LEDs blinking amber, users offline.",
            "Please send an engineer on site.",
        ),
    ),
    FaxSpec(
        74,
        "027-8277-0699",
        "scan0032.pdf",
        "",
        "assign",
        assign_to={
            "customer": "WHJAJY",
            "contact": "彭慧",
            "title": "育才实验小学两路监控摄像头无图像",
            "kind": Kind.GENERAL_FAULT,
        },
        lines=("Fax: Yucai Experimental Primary School", "Two cameras at the gate show no picture since Monday."),
    ),
    FaxSpec(
        53,
        "021-6444-0000",
        "fax-20260122-1105.tif",
        "",
        "dismiss",
        dismiss_reason="广告传真（机房空调清洗服务推销），不是服务请求。",
    ),
    FaxSpec(21, "+862787654321", "fax-unknown.tif", "", "wait"),
)


# The filed fax's cameras: resolved, reopened by the desk when the teacher calls back, resolved again, closed.
FAX_CAMERAS_FIX = {
    "resolution": "两路摄像头 PoE 供电模块故障，已更换并重新配置录像计划，画面恢复。",
    "resolution_method": ResolutionMethod.ON_SITE,
    "root_cause": "摄像头供电模块受潮损坏。",
}
FAX_CAMERAS_REOPEN = "彭慧老师来电：大门西侧一路摄像头夜间仍然没有图像。"
FAX_CAMERAS_FIX_AGAIN = {
    "resolution": "夜间复查发现西侧摄像头红外灯板损坏，更换红外灯板并调整日夜切换阈值，夜间画面正常。",
    "resolution_method": ResolutionMethod.ON_SITE,
    "root_cause": "摄像头受潮，供电模块和红外灯板均已损坏，首次处理只更换了供电模块。",
}


@dataclass(frozen=True)
class AlertSourceSpec:
    key: str
    name: str
    kind: str  # intake SourceKind value
    customer: str
    hosts: tuple[tuple[str, str, str, int], ...]  # (host name, site, product key, which one of them, from 0)


ALERT_SOURCES: tuple[AlertSourceSpec, ...] = (
    AlertSourceSpec(
        "prometheus",
        "苏州公安视频专网 Prometheus",
        "alertmanager",
        "SZGASP",
        (
            ("cam-yq-gate-01", "工业园区分局监控中心", "hik-camera", 0),
            ("cam-yq-gate-02", "工业园区分局监控中心", "hik-camera", 1),
            ("nvr-yq-01", "工业园区分局监控中心", "hik-nvr", 0),
            ("dome-wz-03", "吴中分局监控中心", "hik-dome", 2),
        ),
    ),
    AlertSourceSpec(
        "zabbix",
        "杭州公积金 Zabbix",
        "zabbix",
        "HZGJJ",
        (
            ("hzgjj-app-01", "中心机房", "hw-2288h", 0),
            ("hzgjj-app-02", "中心机房", "hw-2288h", 1),
            ("hzgjj-stor-01", "中心机房", "hw-oceanstor", 0),
        ),
    ),
)

# Alertmanager payload texts (English labels, as Prometheus rules are written) and Chinese summaries.
CAMERA_DOWN = {
    "alertname": "CameraOffline",
    "summary": "园区分局大门摄像头 cam-yq-gate-01 离线",
    "description": "ICMP 探测连续 5 分钟失败，视频平台取流失败。",
}
DOME_DOWN = {
    "alertname": "CameraOffline",
    "summary": "吴中分局球机 dome-wz-03 离线",
    "description": "ICMP 探测连续 5 分钟失败，球机无法调阅实时画面。",
}
ZABBIX_PSU = {
    "trigger_id": "24017",
    "subject": "hzgjj-app-01 电源模块 PSU2 故障（冗余丢失）",
    "message": "iBMC 报告 PSU2 输入丢失，电源冗余降级。",
    "severity": "High",
}
ZABBIX_POOL = {
    "trigger_id": "31002",
    "subject": "hzgjj-stor-01 存储池使用率超过 90%",
    "message": "存储池 StoragePool001 使用率 91.3%，超过告警阈值 90%。",
    "severity": "Average",
}

CAMERA_FIX = {
    "resolution": "远程登录园区分局 PoE 交换机，发现大门摄像头所在端口 PoE 供电反复中断；重新上电并将端口 PoE 功率上限"
    "调至 30W 后摄像头上线，取流恢复。",
    "resolution_method": ResolutionMethod.REMOTE,
    "root_cause": "PoE 交换机端口功率预算不足，夜间红外灯开启后供电中断。",
}
PSU_VISITS = (
    {
        "task": "到场检查 hzgjj-app-01 电源告警，确认故障部件。",
        "log": "PSU2 无输出，交叉测试确认电源模块故障，已申请同型号备件。",
        "hours": "1.5",
        "result": "确认 PSU2 故障，服务器由 PSU1 单路供电运行，备件到货后二次上门更换。",
    },
    {
        "task": "携带备件二次上门，更换 hzgjj-app-01 的 PSU2 电源模块。",
        "log": "更换 PSU2，iBMC 电源冗余恢复，检查 PDU 两路供电正常。",
        "hours": "1.0",
        "result": "已更换 PSU2 电源模块，电源冗余恢复，业务无中断。",
    },
)
PSU_FIX = {
    "resolution": "现场更换 PSU2 电源模块，iBMC 电源冗余恢复，检查机柜 PDU 两路供电正常。",
    "resolution_method": ResolutionMethod.ON_SITE,
    "root_cause": "电源模块老化，输入端电容失效。",
}

# Knowledge -------------------------------------------------------------------------------------------------------

PROBLEM_KNOWN_ERROR = {
    "title": "海康摄像机夜间 PoE 供电中断导致离线（已知问题）",
    "description": "园区分局、吴中分局的摄像机多次在夜间红外补光开启后离线，白天自动恢复或重新上电后恢复。",
    "root_cause": "接入 PoE 交换机整机功率预算按白天功耗配置，夜间红外灯开启后端口供电超限被切断。",
    "workaround": "远程将对应端口 PoE 功率上限调至 30W 并重新上电；必要时临时关闭红外补光。",
}
FIXED_PROBLEM_TITLES = "数据库归档空间告警"  # the plan's tickets the fixed problem caused (scenarios.py)
PROBLEM_FIXED = {
    "title": "Oracle 归档日志未按时删除导致归档空间告警",
    "description": "多家客户的 Oracle 19c 数据库反复出现归档目录使用率超过 90% 的告警。",
    "root_cause": "RMAN 备份失败时归档删除策略不执行，归档日志持续堆积。",
    "workaround": "确认最近一次备份成功后手工删除已备份的过期归档。",
    "fix": "统一调整 RMAN 归档删除策略为“备份 2 次后删除”，备份作业失败时短信告警值班工程师；已在各客户库实施。",
}
ARTICLE_FEEDBACK = (
    # (article, username, helped)
    ("psu", "customer1", True),
    ("psu", "agent", True),
    ("psu", "engineer-hz2", True),
    ("psu", "dispatcher", False),
    ("camera", "customer2", True),
    ("camera", "engineer-sz2", True),
    ("camera", "agent2", True),
    ("plan", "engineer", True),
    ("plan", "agent", False),
)

# Quality ---------------------------------------------------------------------------------------------------------

MANAGEMENT = (
    # (username, position)
    ("gm", "general_manager"),
    ("cto", "technical_director"),
    ("manager2", "deputy_in_charge"),
)
DEFAULT_RULE = {"delay_hours": 24, "sample_percent": 40, "low_score_threshold": 2, "methods": ["phone", "portal"]}
CONTRACT_RULE = {
    "contract": "HZGJJ-OM",
    "delay_hours": 4,
    "sample_percent": 50,
    "low_score_threshold": 2,
    "methods": ["survey_link", "portal"],
}
FOLLOW_UP_DAYS = 150  # follow-ups of tickets resolved this far back (the dashboard shows six months)
SATISFIED_COMMENTS = (
    "工程师响应很快，处理专业。",
    "问题已解决，感谢。",
    "",
    "",
    "到场及时，讲解清楚。",
    "希望以后能提前告知到场时间。",
)
LOW_SCORES = {"score_overall": 2, "score_response_speed": 2, "score_professionalism": 3, "score_attitude": 3}
STILL_LOW_SCORES = {"score_overall": 2, "score_response_speed": 3, "score_professionalism": 3, "score_attitude": 4}
HAPPY_SCORES = {"score_overall": 5, "score_response_speed": 5, "score_professionalism": 5, "score_attitude": 5}
LOW_COMMENT = "问题过两天又出现了，希望彻底解决。"
STILL_LOW_COMMENT = "第二次处理后仍偶尔告警，工程师没有说明原因。"
HAPPY_COMMENT = "这次彻底解决了，工程师还讲解了原因和预防措施，满意。"
RESERVICE_FIX = {
    "resolution": "复查后更换同批次另一故障部件，并连续观察 24 小时无告警。",
    "resolution_method": ResolutionMethod.ON_SITE,
    "root_cause": "同批次部件存在隐患，首次处理未一并更换。",
}
PORTAL_COMMENT = "整体满意，希望处理结果能书面反馈。"

COMPLAINT_OPEN = {
    "customer": "CDJJYY",
    "contact": "罗晓燕",
    "title": "投诉：HIS 数据库故障处理进度迟缓，未主动反馈",
    "description": "信息中心主任来电投诉：HIS 数据库故障已超过 4 小时，期间无人主动告知处理进度，门诊手工挂号压力很大，"
    "要求服务商领导出面说明并给出解决时间。",
    "people": ("engineer-cd", "expert-db"),
    "related_title": "HIS 数据库宕机",
}
COMPLAINT_CLOSED = {
    "customer": "HZGJJ",
    "contact": "马骏",
    "title": "投诉：工程师到场超时且未提前告知",
    "description": "信息科马骏科长投诉：上次服务器故障报修后，工程师比承诺时间晚到 1 个多小时，且途中未告知，影响柜面业务。",
    "people": ("engineer",),
    "resolution": "服务经理上门致歉并说明原因，复盘到场时间承诺；用户表示接受。",
    "root_cause": "工程师同时处理两张工单，调度未及时改派，也未提醒工程师主动告知预计到场时间。",
    "corrective_action": "调度规则增加到场倒计时提醒，超过 80% 时自动改派；工程师出发即在工单内发布预计到场时间。",
}
QC_REVIEWS = (
    # (response quality, service quality, score, comment)
    (4, 5, 92, "处理记录完整，根因分析清楚。"),
    (3, 4, 78, "响应稍慢，解决方案可写得更具体。"),
    (5, 4, 88, ""),
    (2, 3, 61, "到场超时且未提前告知客户，已在周会通报。"),
)
