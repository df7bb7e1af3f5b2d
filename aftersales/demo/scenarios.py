"""What the demo's requests are about: titles, descriptions, resolutions and the notes along the way.

Placeholders: {site} is the site's name, {product} the product's name and model.
"""

from dataclasses import dataclass

from aftersales.demo.catalogue import DATABASE_TEAM, NETWORK_TEAM
from aftersales.tickets.choices import Channel, Kind, Level, ResolutionMethod, Status, Tier


@dataclass(frozen=True)
class Scenario:
    tag: str | None  # the asset tag it concerns; None: no particular asset
    kind: str
    title: str
    description: str
    resolution: str
    root_cause: str
    method: str
    expert_team: str = ""  # escalated to this L3 team when the L2 engineer cannot solve it
    corrective_action: str = ""  # a complaint is resolved only with one (and its root cause)


K = Kind
M = ResolutionMethod

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "server",
        K.MAJOR_FAULT,
        "{site} {product} 宕机，业务系统无法访问",
        "监控平台报告 {product} 心跳丢失，远程无法 ping 通，机房巡查发现前面板告警灯红色常亮，相关业务系统已中断。",
        "现场检查 iBMC/iLO 日志，定位为主板 VRM 模块故障，更换主板后系统正常启动，业务恢复，已观察 2 小时无异常。",
        "主板供电模块老化损坏。",
        M.ON_SITE,
    ),
    Scenario(
        "server",
        K.GENERAL_FAULT,
        "{site} {product} 硬盘故障告警",
        "管理口邮件告警：RAID 组中 1 块 SAS 硬盘状态为 Failed，阵列处于降级状态，业务暂未受影响。",
        "更换故障硬盘（1.2TB 10K SAS），RAID 重建完成，阵列状态恢复 Optimal。",
        "硬盘坏道增多导致被阵列卡踢出。",
        M.ON_SITE,
    ),
    Scenario(
        "server",
        K.GENERAL_FAULT,
        "{site} {product} 电源模块故障",
        "设备 PSU2 指示灯熄灭，管理口告警“电源冗余丢失”。",
        "更换 PSU2 电源模块，冗余恢复，检查机柜 PDU 供电正常。",
        "电源模块电容老化。",
        M.ON_SITE,
    ),
    Scenario(
        "server",
        K.GENERAL_FAULT,
        "{site} {product} 内存 ECC 报错",
        "操作系统日志频繁出现 Corrected Memory Error，iBMC 提示 DIMM020 可纠正错误超过阈值。",
        "在停机窗口更换 DIMM020 内存条，运行内存压力测试 4 小时无报错。",
        "内存颗粒故障。",
        M.ON_SITE,
    ),
    Scenario(
        "storage",
        K.MAJOR_FAULT,
        "{site} {product} 存储阵列告警，LUN 性能下降",
        "存储管理界面显示控制器 B 告警，多个 LUN 切换到控制器 A，业务系统 IO 延迟明显上升。",
        "收集存储日志提交原厂分析，确认控制器 B 缓存板故障，更换后 LUN 归属回切，IO 延迟恢复正常。",
        "控制器缓存板硬件故障。",
        M.ON_SITE,
        "",
    ),
    Scenario(
        "storage",
        K.GENERAL_FAULT,
        "{site} {product} 硬盘预失效告警",
        "存储告警：硬盘框 CTE0 槽位 7 硬盘预失效（Pre-fail），热备盘已开始重构。",
        "重构完成后更换预失效硬盘，并将新盘设为热备盘。",
        "硬盘 SMART 指标超过阈值。",
        M.ON_SITE,
    ),
    Scenario(
        "storage",
        K.CHANGE_REQUEST,
        "{site} {product} 存储容量扩容申请",
        "业务数据增长较快，存储池使用率已达 85%，申请扩容 20TB 并调整 LUN 映射。",
        "按审批后的变更方案新增硬盘框并扩容存储池，扩展 LUN 后在主机侧完成文件系统扩容。",
        "",
        M.ON_SITE,
    ),
    Scenario(
        "storage",
        K.CATASTROPHIC_FAULT,
        "{site} {product} 双控制器故障，全部业务中断",
        "存储两台控制器相继离线，挂载该存储的所有业务系统中断，已启动应急预案。",
        "原厂专家远程协助，更换故障背板后双控恢复，逐一检查 LUN 一致性并恢复业务；已切换回生产存储。",
        "背板连接器故障导致双控同时失联。",
        M.ON_SITE,
        "",
    ),
    Scenario(
        "switch",
        K.GENERAL_FAULT,
        "{site} {product} 交换机端口故障",
        "用户反映部分办公终端无法上网，排查发现交换机 GE1/0/23 端口频繁 up/down。",
        "更换光模块和跳线后端口稳定，检查端口错误计数清零后未再增长。",
        "光模块老化导致收光功率过低。",
        M.ON_SITE,
    ),
    Scenario(
        "switch",
        K.MAJOR_FAULT,
        "{site} {product} 堆叠分裂，部分业务中断",
        "两台核心交换机堆叠链路中断，出现双主，部分 VLAN 业务不通。",
        "更换堆叠线缆并重启备机，堆叠恢复，配置 MAD 检测防止再次双主。",
        "堆叠线缆接口松动，未配置 MAD 检测。",
        M.ON_SITE,
        NETWORK_TEAM,
    ),
    Scenario(
        "switch",
        K.GENERAL_FAULT,
        "{site} {product} CPU 占用率持续偏高",
        "网管告警交换机 CPU 占用率持续超过 80%，用户访问偶有卡顿。",
        "远程抓包定位为终端 ARP 攻击，配置 ARP 防攻击策略并隔离异常终端，CPU 恢复至 15% 左右。",
        "内网终端感染病毒发送大量 ARP 报文。",
        M.REMOTE,
        NETWORK_TEAM,
    ),
    Scenario(
        "firewall",
        K.CHANGE_REQUEST,
        "{site} {product} 防火墙策略变更申请",
        "新上线业务系统需开放 10.20.8.0/24 到 DMZ 区 443、8443 端口的访问。",
        "经用户书面审批后按变更单在维护窗口添加安全策略，验证业务访问正常并备份配置。",
        "",
        M.REMOTE,
        NETWORK_TEAM,
    ),
    Scenario(
        "firewall",
        K.GENERAL_FAULT,
        "{site}SSL VPN 无法连接",
        "外出人员反映 SSL VPN 客户端登录后提示“隧道建立失败”。",
        "防火墙 SSL VPN 证书过期，重新申请并导入证书后恢复，已提醒用户记录证书到期时间。",
        "VPN 服务器证书过期。",
        M.REMOTE,
    ),
    Scenario(
        "router",
        K.MAJOR_FAULT,
        "{site}出口路由器链路中断",
        "总部到各分支的专线全部中断，ERP 系统无法访问。",
        "运营商线路恢复后检查路由协议邻居全部建立，业务恢复；建议增加备份链路。",
        "运营商光缆被施工挖断。",
        M.REMOTE,
    ),
    Scenario(
        "camera",
        K.GENERAL_FAULT,
        "{site}摄像头离线",
        "视频平台显示该点位摄像头离线，无法调阅实时画面。",
        "现场检查为 PoE 交换机端口供电异常，更换端口并重新供电后摄像头上线，录像正常。",
        "PoE 端口供电故障。",
        M.ON_SITE,
    ),
    Scenario(
        "camera",
        K.GENERAL_FAULT,
        "{site}摄像头夜间画面模糊",
        "夜间调阅该点位画面发白模糊，红外补光疑似异常。",
        "清洁镜头及防护罩，调整日夜切换阈值和红外灯功率，画面恢复清晰。",
        "防护罩积灰及参数设置不当。",
        M.ON_SITE,
    ),
    Scenario(
        "nvr",
        K.MAJOR_FAULT,
        "{site} {product} 录像丢失",
        "回放时发现前一天 02:00-06:00 所有通道无录像。",
        "NVR 硬盘 3 故障导致录像写入失败，更换硬盘并开启盘组冗余，核对各通道录像计划。",
        "硬盘故障且未配置录像冗余。",
        M.ON_SITE,
    ),
    Scenario(
        "video_platform",
        K.GENERAL_FAULT,
        "{site}视频平台无法调阅历史录像",
        "综合安防平台点击回放提示“取流失败”，实时预览正常。",
        "平台存储服务进程异常，重启取流服务并修复索引，回放恢复；升级补丁已提交原厂评估。",
        "取流服务内存泄漏。",
        M.REMOTE,
        "",
    ),
    Scenario(
        "database",
        K.MAJOR_FAULT,
        "{site}数据库性能下降，业务办理缓慢",
        "上午业务高峰期窗口办理明显变慢，AWR 报告显示大量 log file sync 和 enq: TX 等待。",
        "专家组分析 AWR 与 ASH，优化两条全表扫描 SQL 并调整 redo 日志组大小，业务响应时间恢复至 1 秒以内。",
        "统计信息过期导致执行计划走全表扫描；redo 日志过小切换频繁。",
        M.REMOTE,
        DATABASE_TEAM,
    ),
    Scenario(
        "database",
        K.GENERAL_FAULT,
        "{site}数据库归档空间告警",
        "监控告警归档目录使用率超过 90%，存在数据库挂起风险。",
        "确认备份已完成后清理过期归档，调整 RMAN 归档删除策略。",
        "备份任务失败导致归档日志未按时删除。",
        M.REMOTE,
        DATABASE_TEAM,
    ),
    Scenario(
        "database",
        K.CHANGE_REQUEST,
        "{site}数据库季度补丁升级",
        "按原厂季度补丁计划，申请在周末维护窗口升级数据库 RU 补丁。",
        "完成补丁升级和回退预案演练，升级后业务验证通过。",
        "",
        M.REMOTE,
        DATABASE_TEAM,
    ),
    Scenario(
        "backup",
        K.GENERAL_FAULT,
        "{site}备份作业连续失败",
        "备份软件报告近两天的全量备份作业失败，错误码 ANS1311E。",
        "扩展备份存储池并重新调度作业，手工执行一次全量备份成功。",
        "备份存储池空间不足。",
        M.REMOTE,
    ),
    Scenario(
        "backup",
        K.CONSULTATION,
        "咨询备份策略",
        "用户咨询核心业务数据的备份保留周期和异地备份方案。",
        "电话说明现有策略（每日增量、每周全量、保留 30 天），并邮件发送异地备份建议方案。",
        "",
        M.EMAIL,
    ),
    Scenario(
        None,
        K.CONSULTATION,
        "咨询操作系统安全补丁安装",
        "用户咨询近期发布的操作系统高危漏洞补丁是否需要安装，是否影响业务。",
        "电话解答补丁影响范围，建议先在测试环境验证，并提供补丁安装步骤。",
        "",
        M.PHONE,
    ),
    Scenario(
        None,
        K.SERVICE_REQUEST,
        "申请配合年度等保测评",
        "等保测评机构下周进场，需要工程师配合提供设备配置和安全策略说明。",
        "工程师现场配合测评两天，提供设备配置导出和整改建议。",
        "",
        M.ON_SITE,
    ),
    Scenario(
        None,
        K.SERVICE_REQUEST,
        "机房设备搬迁上架",
        "因机房改造，需要将 3 台服务器从 A 列机柜迁移到 C 列机柜。",
        "按搬迁方案完成下电、迁移、上架、布线和加电，业务验证正常。",
        "",
        M.ON_SITE,
    ),
    Scenario(
        None,
        K.COMPLAINT,
        "投诉：工程师到场超时",
        "用户投诉上次报修后工程师超过承诺时间 2 小时才到场，影响业务办理。",
        "服务经理致电致歉并说明原因（交通管制），已调整驻点工程师排班，用户表示认可。",
        "工程师排班不合理。",
        M.PHONE,
        corrective_action="驻点工程师排班增加备岗，交通管制时段提前出发并主动告知用户预计到场时间。",
    ),
)

# Notes and comments along a ticket's way, picked at random.
ASSIGN_NOTES = ("", "", "请尽快联系用户确认现场情况。", "按就近原则派单。")
GOLD_ASSIGN_NOTE = "金牌客户，请优先处理。"
ESCALATE_NOTES = ("二线无法定位，升级专家组分析。", "疑似软件缺陷，转三线并同步原厂。")
PUBLIC_PROGRESS = (
    "您好，工程师已接单，正在联系现场联系人。",
    "已远程登录设备收集日志，稍后反馈分析结果。",
    "工程师已出发，预计 1 小时内到达现场。",
    "工程师已到达现场，正在排查。",
)
INTERNAL_NOTES = (
    "该设备去年出现过同类故障，建议列入下月巡检重点。",
    "用户机房进出需提前一天报备，已和值班长沟通。",
    "已查询备件库，杭州库有现货。",
    "日志已上传共享目录，供专家组分析。",
    "远程登录使用用户临时提供的账号，任务结束后已提醒用户修改密码。",
)
EXPERT_NOTES = ("已分析日志，初步判断与原厂已知问题相关，正在验证。", "建议在今晚维护窗口实施调整。")
CUSTOMER_COMMENTS = (
    "请尽快处理，业务窗口排队较多。",
    "现场联系人已更换，请联系我们的值班人员。",
    "收到，谢谢。",
    "麻烦处理完成后发一份故障报告。",
)
RESOLVED_COMMENTS = (
    "故障已处理完毕，请您确认业务是否恢复正常。",
    "已处理完成，处理过程和原因见处理说明，如有问题请随时联系我们。",
)
PENDING_NOTES = {
    "pend_customer": ("等待用户安排停机窗口。", "用户联系人出差，待其返回后确认现场。", "等待用户提供远程登录账号。"),
    "pend_vendor": ("已向原厂提交案例，等待原厂分析日志。", "等待原厂发布修复补丁。"),
    "pend_parts": ("已申请备件，等待到货。", "备件从北京备件库调拨中，预计 2 天到货。"),
}
REOPEN_NOTES = ("问题复现，业务再次中断。", "处理后第二天同样告警再次出现。")
CANCEL_NOTES = ("重复报修，已合并到同一工单处理。", "用户确认为误报，无需处理。", "用户自行重启后恢复，申请取消。")
WITHDRAW_NOTES = ("问题已自行恢复，撤销报修。", "填写错误，重新提交。")
CONFIRM_NOTES = ("电话回访，用户确认业务已恢复。", "")


@dataclass(frozen=True)
class SlaShowcase:
    """An open ticket timed to the minute, so that the SLA board shows clocks at risk and breached at once.

    Each takes the place of the first randomly planned ticket with the same final status. Its steps are
    (minutes after the request was received, username, operation, arguments), like a planned timeline.
    """

    status: str
    customer: str
    site: str
    kind: str
    urgency: int
    impact: int
    channel: str
    received_minutes_ago: float
    title: str
    description: str
    steps: tuple[tuple[float, str, str, dict], ...]
    on_site_required: bool = False


SLA_SHOWCASES: tuple[SlaShowcase, ...] = (
    # Standard service, P2: 20 of its 30 response minutes gone and nobody has accepted it (50 % rung).
    SlaShowcase(
        Status.ASSIGNED,
        "WHJAJY",
        "江岸区第一中学",
        K.MAJOR_FAULT,
        Level.HIGH,
        Level.MEDIUM,
        Channel.PHONE,
        20,
        "{site}校园网核心交换机故障，全校断网",
        "学校信息中心来电：上午第二节课起全校教室和办公室无法上网，核心交换机面板多个端口指示灯熄灭。",
        (
            (2, "agent", "create", {}),
            (5, "dispatcher", "assign", {"assignee": "engineer-wh", "team": "武汉二线组", "tier": Tier.L2, "note": ""}),
        ),
    ),
    # Gold service, P1 on site: accepted in 2 minutes, but after 100 of the 120 arrival minutes nobody is there (80 %).
    SlaShowcase(
        Status.IN_PROGRESS,
        "HZGJJ",
        "中心机房",
        K.MAJOR_FAULT,
        Level.HIGH,
        Level.MEDIUM,
        Channel.PHONE,
        100,
        "{site}核心业务数据库服务器宕机，柜面业务中断",
        "公积金中心来电：核心业务数据库所在服务器宕机，各网点柜面无法办理提取和贷款业务，需工程师立即到场。",
        (
            (1, "agent", "create", {}),
            (1.5, "dispatcher", "assign", {"assignee": "engineer", "team": "杭州二线组", "tier": Tier.L2, "note": ""}),
            (2, "engineer", "transition", {"action": "accept", "note": ""}),
            (4, "engineer", "comment", {"body": "工程师已出发，正在赶往现场。", "is_public": True}),
        ),
        on_site_required=True,
    ),
    # Gold service, P1 raised by the video platform's alarm 12 minutes ago: the 5-minute response is long breached.
    SlaShowcase(
        Status.NEW,
        "SZGASP",
        "指挥中心机房",
        K.CATASTROPHIC_FAULT,
        Level.HIGH,
        Level.HIGH,
        Channel.API,
        12,
        "{site}视频专网核心交换机宕机，全市监控中断",
        "视频平台告警：指挥中心核心交换机心跳丢失，全市 2000 余路监控画面中断。",
        ((0.5, "admin", "create", {}),),
    ),
    # Silver service, P1: waiting for the vendor does not stop the clock; resolution is breached and the
    # emergency plan has started.
    SlaShowcase(
        Status.PENDING_VENDOR,
        "CDJJYY",
        "门诊楼信息中心机房",
        K.CATASTROPHIC_FAULT,
        Level.HIGH,
        Level.HIGH,
        Channel.PHONE,
        300,
        "{site} HIS 数据库宕机，门诊挂号收费中断",
        "信息中心主任来电：HIS 数据库实例异常关闭后无法启动，门诊挂号和收费全部中断，已启用手工挂号。",
        (
            (1, "agent", "create", {}),
            (2, "dispatcher", "assign", {"assignee": "engineer-cd", "team": "成都二线组", "tier": Tier.L2, "note": ""}),
            (4, "engineer-cd", "transition", {"action": "accept", "note": ""}),
            (30, "engineer-cd", "comment", {"body": "告警日志显示 ORA-00600，已收集 trace 文件。", "is_public": False}),
            (
                90,
                "dispatcher",
                "assign",
                {
                    "assignee": "expert-db",
                    "team": DATABASE_TEAM,
                    "tier": Tier.L3,
                    "note": "二线无法定位，升级专家组分析。",
                },
            ),
            (200, "expert-db", "transition", {"action": "pend_vendor", "note": "已向原厂提交案例，等待原厂分析日志。"}),
        ),
    ),
)
