"""The demo's field-service reference data: service regions, skills, engineer profiles and certifications, the
duty roster's standby engineers and one exception, and the texts the demo's work orders are written with.

Home bases are real city coordinates (city centres or districts), so the dispatch recommendation's distances and
travel times read true. Certificate numbers are invented.
"""

from dataclasses import dataclass

from aftersales.accounts.models import EngineerStatus
from aftersales.core.choices import Tier


@dataclass(frozen=True)
class RegionSpec:
    name: str
    provinces: tuple[str, ...]
    travel_speed_kmh: int


# Every province the demo's sites are in belongs to one region (a test checks it).
REGIONS: tuple[RegionSpec, ...] = (
    RegionSpec("华东", ("浙江省", "江苏省", "上海市", "安徽省"), 45),
    RegionSpec("华南", ("广东省", "广西壮族自治区", "福建省", "海南省"), 40),
    RegionSpec("华中", ("湖北省", "湖南省", "河南省", "江西省"), 40),
    RegionSpec("西南", ("四川省", "重庆市", "云南省", "贵州省"), 35),
    RegionSpec("华北", ("北京市", "天津市", "河北省", "山西省"), 35),
)

SKILLS = ("存储", "小型机", "网络", "安全", "数据库", "视频监控", "服务器", "备份", "虚拟化")


@dataclass(frozen=True)
class ProfileSpec:
    username: str
    province: str  # where home base is: gives the region
    home_city: str
    latitude: str
    longitude: str
    skills: tuple[str, ...]
    tier: str = Tier.L2
    max_jobs: int = 3
    status: str = EngineerStatus.AVAILABLE


# One profile for every engineer and expert of catalogue.STAFF (a test checks it); the team is the user's first.
PROFILES: tuple[ProfileSpec, ...] = (
    ProfileSpec(
        "engineer", "浙江省", "杭州市", "30.274100", "120.155100", ("服务器", "存储", "小型机", "网络"), max_jobs=4
    ),
    ProfileSpec("engineer-hz2", "浙江省", "杭州市", "30.210300", "120.210400", ("网络", "安全", "服务器")),
    ProfileSpec("engineer-hz3", "浙江省", "杭州市", "30.184000", "120.264200", ("视频监控", "网络", "服务器")),
    ProfileSpec("engineer-nb", "浙江省", "宁波市", "29.868300", "121.544000", ("服务器", "小型机", "存储", "备份")),
    ProfileSpec("engineer-sz", "江苏省", "苏州市", "31.298900", "120.585300", ("视频监控", "网络", "服务器")),
    ProfileSpec("engineer-sz2", "江苏省", "苏州市", "31.317200", "120.723500", ("视频监控", "存储")),
    ProfileSpec("engineer-sh", "上海市", "上海市", "31.230400", "121.473700", ("网络", "安全", "存储")),
    ProfileSpec(
        "engineer-cd", "四川省", "成都市", "30.572800", "104.066800", ("服务器", "存储", "数据库", "网络"), max_jobs=4
    ),
    ProfileSpec("engineer-cd2", "四川省", "成都市", "30.660000", "104.101500", ("网络", "服务器", "备份")),
    ProfileSpec("engineer-wh", "湖北省", "武汉市", "30.592800", "114.305500", ("网络", "安全", "视频监控")),
    ProfileSpec("engineer-wh2", "湖北省", "武汉市", "30.619000", "114.275000", ("服务器", "视频监控"), max_jobs=2),
    ProfileSpec("engineer-bj", "北京市", "北京市", "39.904200", "116.407400", ("服务器", "存储", "虚拟化")),
    ProfileSpec("engineer-bj2", "北京市", "北京市", "39.959900", "116.298000", ("网络", "安全", "服务器")),
    ProfileSpec(
        "engineer-bj3",
        "北京市",
        "北京市",
        "40.040300",
        "116.300800",
        ("存储", "服务器", "数据库"),
        max_jobs=2,
        status=EngineerStatus.OFF_DUTY,  # on annual leave this week
    ),
    ProfileSpec("expert", "浙江省", "杭州市", "30.280600", "120.150800", ("数据库", "小型机", "备份"), Tier.L3, 2),
    ProfileSpec("expert-db", "北京市", "北京市", "39.983000", "116.318000", ("数据库", "存储", "小型机"), Tier.L3, 2),
    ProfileSpec("expert-net", "浙江省", "杭州市", "30.287400", "120.130300", ("网络", "安全"), Tier.L3, 2),
)


@dataclass(frozen=True)
class CertificationSpec:
    username: str
    vendor: str  # catalogue.VENDORS key
    name: str
    number: str
    valid_days: int  # days from today to its last valid day; negative: expired
    products: tuple[str, ...] = ()  # catalogue.PRODUCTS keys; empty: all of the vendor's products


# Some expired, some running out within the month, some for particular products only.
CERTIFICATIONS: tuple[CertificationSpec, ...] = (
    CertificationSpec("engineer", "Huawei", "HCIP-Storage", "HCIP-ST-20240718", 410, ("hw-oceanstor", "hw-dorado")),
    CertificationSpec(
        "engineer", "IBM", "IBM Certified Technical Specialist - Power Systems", "IBM-P-5521874", 200, ("ibm-s922",)
    ),
    CertificationSpec("engineer", "H3C", "H3CSE-RS+", "H3CSE-2021-08831", -35),
    CertificationSpec("engineer-hz2", "H3C", "H3CSE-RS+", "H3CSE-2024-11207", 520),
    CertificationSpec("engineer-hz2", "Huawei", "HCIP-Security", "HCIP-SE-20230916", 18, ("hw-usg6650",)),
    CertificationSpec("engineer-hz3", "Hikvision", "海康威视认证安防工程师", "HIK-ZJ-2025-0316", 300),
    CertificationSpec("engineer-hz3", "Huawei", "HCIA-Datacom", "HCIA-DC-20250402", 120),
    CertificationSpec(
        "engineer-nb", "IBM", "IBM Certified Technical Specialist - Power Systems", "IBM-P-4409125", 12, ("ibm-s922",)
    ),
    CertificationSpec("engineer-nb", "Dell", "Dell Technologies PowerEdge 认证工程师", "DELL-PE-778102", 250),
    CertificationSpec("engineer-nb", "HPE", "HPE ATP - Server Solutions", "HPE-ATP-3319057", 365, ("hpe-dl380",)),
    CertificationSpec("engineer-sz", "Hikvision", "海康威视认证工程师", "HIK-JS-2024-1102", 180),
    CertificationSpec("engineer-sz", "Huawei", "HCIP-Datacom", "HCIP-DC-20240530", 60, ("hw-ce6881", "hw-s5735")),
    CertificationSpec(
        "engineer-sz2", "Hikvision", "海康威视认证工程师（综合安防平台）", "HIK-JS-2023-0871", -12, ("hik-platform",)
    ),
    CertificationSpec("engineer-sz2", "Huawei", "HCIP-Storage", "HCIP-ST-20250211", 330, ("hw-oceanstor",)),
    CertificationSpec("engineer-sh", "Cisco", "CCNP Enterprise", "CSCO13928841", 700),
    CertificationSpec("engineer-sh", "Huawei", "HCIP-Security", "HCIP-SE-20250108", 400),
    CertificationSpec("engineer-cd", "Dell", "Dell Technologies PowerEdge 认证工程师", "DELL-PE-801466", 90),
    CertificationSpec(
        "engineer-cd", "HPE", "HPE ASE - Storage Solutions Architect", "HPE-ASE-2207613", 25, ("hpe-primera",)
    ),
    CertificationSpec("engineer-cd", "Oracle", "Oracle Database 19c OCP", "OC2291746", 900, ("oracle-db",)),
    CertificationSpec("engineer-cd2", "Cisco", "CCNP Enterprise", "CSCO12077315", -45),
    CertificationSpec("engineer-cd2", "H3C", "H3CNE-RS+", "H3CNE-2025-20419", 300),
    CertificationSpec("engineer-wh", "H3C", "H3CSE-RS+", "H3CSE-2024-07752", 150),
    CertificationSpec("engineer-wh", "Hikvision", "海康威视认证工程师", "HIK-HB-2024-0529", 200),
    CertificationSpec("engineer-wh2", "H3C", "H3CNE-Cloud", "H3CNE-2025-31880", 60, ("h3c-r4900",)),
    CertificationSpec("engineer-wh2", "Dell", "Dell Technologies PowerEdge 认证工程师", "DELL-PE-690215", 10),
    CertificationSpec("engineer-bj", "Inspur", "浪潮服务器认证工程师", "INSPUR-SE-250318", 365, ("inspur-nf5280",)),
    CertificationSpec("engineer-bj", "Huawei", "HCIP-Storage", "HCIP-ST-20240902", 200, ("hw-dorado",)),
    CertificationSpec("engineer-bj2", "Huawei", "HCIE-Datacom", "HCIE-DC-31742", 600),
    CertificationSpec("engineer-bj2", "H3C", "H3CSE-Security", "H3CSE-SEC-2023-0417", 14, ("h3c-f1000",)),
    CertificationSpec("engineer-bj3", "Inspur", "浪潮存储认证工程师", "INSPUR-ST-240611", 45, ("inspur-as5300",)),
    CertificationSpec("engineer-bj3", "Oracle", "Oracle Database 12c OCP", "OC1904233", -100, ("oracle-db",)),
    CertificationSpec("expert", "Oracle", "Oracle Database 12c OCM", "OCM-0419027", 1000, ("oracle-db",)),
    CertificationSpec(
        "expert", "IBM", "IBM Certified Administrator - Spectrum Protect", "IBM-SP-2209184", 30, ("ibm-protect",)
    ),
    CertificationSpec("expert-db", "Oracle", "Oracle Database 19c OCP", "OC2410058", 800, ("oracle-db",)),
    CertificationSpec("expert-db", "Huawei", "HCIE-Storage", "HCIE-ST-40218", 500),
    CertificationSpec("expert-net", "Cisco", "CCIE Enterprise Infrastructure", "CCIE-60417", 400),
    CertificationSpec("expert-net", "Huawei", "HCIE-Security", "HCIE-SE-28833", 300),
    CertificationSpec("expert-net", "H3C", "H3CIE-RS+", "H3CIE-2020-0915", -20),
)

# Standby engineers (备班) of the organisation's day and night shifts, every day of the week: none of them is a
# duty engineer in catalogue.DUTY_ROSTER.
DAY_STANDBY = ("engineer-nb", "engineer-sh")
NIGHT_STANDBY = ("engineer-hz3",)


@dataclass(frozen=True)
class DutyExceptionSpec:
    weekday: int  # of next week, Monday 0
    start: str
    end: str
    duty_manager: str
    duty_engineer: str
    reason: str


# Next Wednesday's day shift (manager and engineer-hz2 by the weekly roster) is swapped for a holiday.
DUTY_EXCEPTION = DutyExceptionSpec(
    2, "08:30", "17:30", "manager2", "engineer-hz3", "节假日调班：吴涛休年假，郑凯顶班，钱慧敏代值班经理"
)

# Texts of the demo's work orders ---------------------------------------------------------------------------

BASIS = "{customer}报修（{title}），属维保合同服务范围，派工程师处理。"
ON_SITE_TASK = "到场检查故障设备，定位原因并处理，恢复业务后请用户确认签字。"
REMOTE_TASK = "远程登录用户系统排查故障，必要变更须经用户审批后实施。"
REMOTE_METHOD = "经用户提供的 SSL VPN 登录堡垒机，再跳转至目标系统，全程录屏审计。"
DECLINE_REASON = "正在另一家客户现场处理紧急故障，预计 3 小时内无法远程接入，请改派。"

ON_SITE_LOG = (
    ("到达现场，与用户确认故障现象，检查设备面板告警灯并导出管理口日志。", "1.0"),
    ("更换故障部件后开机自检通过，观察运行状态及业务指标。", "1.5"),
)
REMOTE_LOG = (
    ("远程登录后收集系统日志和性能数据，定位为配置参数不当导致资源耗尽。", "1.0"),
    ("按用户批准的变更方案调整参数并验证，业务响应恢复正常。", "0.5"),
)
MILEAGE_ALLOWANCE = 1.2  # CNY per km driven, the travel expenses written on the sheet
DONE_RESOLUTION = "更换故障部件后设备恢复正常，业务验证通过，已观察 30 分钟无异常，等待用户签字确认。"


@dataclass(frozen=True)
class PartSpec:
    description: str
    part_number: str
    unit_price: str


# The part fitted on site, by the kind of equipment (ProductSpec.tag).
PARTS = {
    "server": PartSpec("1.2TB 10K SAS 硬盘", "02311HAP", "1850.00"),
    "storage": PartSpec("1.92TB SAS SSD 硬盘", "02353AGF", "4200.00"),
    "switch": PartSpec("10GE SFP+ 多模光模块", "OMXD30000", "380.00"),
    "firewall": PartSpec("600W 交流电源模块", "02312CTB", "1600.00"),
    "router": PartSpec("ASR1001-X 电源模块", "ASR1001X-AC-750", "3200.00"),
    "camera": PartSpec("摄像机 12V 电源适配器", "DS-2FA1202", "120.00"),
    "nvr": PartSpec("4TB 监控级硬盘", "ST4000VX015", "680.00"),
}
DEFAULT_PART = PartSpec("超五类网线及水晶头等耗材", "", "60.00")

CHANGE_DESCRIPTION = (
    "今晚 22:00 业务低峰期调整{product}的会话超时和连接数上限参数，并重启相关服务。"
    "风险：服务中断约 5 分钟；回退：恢复变更前导出的配置文件并重启服务。"
)
CREDENTIAL = {
    "address": "堡垒机 bastion.{domain}（SSL VPN 接入）",
    "username": "ops_vendor01",
    "password": "Vpn#2026-Demo",
}

VENDOR_CASE = {
    "vendor": "Oracle",
    "case_number": "SR 3-38452917611",
    "contact_name": "Oracle 技术支持中心 王工",
    "contact_phone": "800-810-0366",
    "contact_email": "support-cn@oracle.example",
}
VENDOR_CHASED = "原厂承诺 30 分钟内回电，至今未回电，已再次拨打 800 热线催促并升级为 Severity 1。"
VENDOR_ANSWERED = "原厂工程师回电，要求补充 alert 日志、trace 文件和 AWR 报告，已上传至案例，等待分析结论。"
