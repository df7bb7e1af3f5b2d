"""The demo's master data: staff, teams, customers and their sites, contacts, contracts and assets.

Organisations, people, addresses and numbers are invented; e-mail addresses use the reserved
`.example` domain so that nothing the demo sends can reach a real mailbox.
"""

from dataclasses import dataclass, field

from aftersales.accounts.roles import Role
from aftersales.contracts.choices import AssetClass, ContractStatus, Coverage

DEMO_PASSWORD = "demo-password"


@dataclass(frozen=True)
class StaffSpec:
    username: str
    role: str
    last_name: str
    first_name: str
    phone: str
    teams: tuple[str, ...] = ()
    customer: str = ""  # customer code, for customer users


@dataclass(frozen=True)
class SiteSpec:
    name: str
    province: str
    city: str
    district: str
    address: str
    latitude: str
    longitude: str
    team: str  # the L2 team that serves this site


@dataclass(frozen=True)
class ContactSpec:
    name: str
    phone: str
    email: str
    position: str
    site: str = ""


@dataclass(frozen=True)
class ContractSpec:
    key: str
    name: str
    level: str  # ServiceLevel.code
    coverage: str
    started_years_ago: float
    years: int
    warranty: dict[str, int]
    lifetime_maintenance: bool = False
    hourly_rate: int = 0
    travel_rate: int = 0
    status: str = ContractStatus.ACTIVE
    sites: tuple[str, ...] = ()  # empty: every site


@dataclass(frozen=True)
class AssetGroupSpec:
    site: str
    product: str  # ProductSpec.key
    count: int
    accepted_years_ago: float
    contract: str | None  # ContractSpec.key; None: not under any contract
    software_name: str = ""
    software_version: str = ""


@dataclass(frozen=True)
class CustomerSpec:
    code: str
    name: str
    industry: str
    address: str
    phone: str
    email_domain: str
    sites: tuple[SiteSpec, ...]
    contacts: tuple[ContactSpec, ...]
    contracts: tuple[ContractSpec, ...]
    assets: tuple[AssetGroupSpec, ...] = field(default=())


@dataclass(frozen=True)
class ProductSpec:
    key: str
    vendor: str
    name: str
    model: str
    category: str
    tag: str  # what kind of fault scenarios apply: server, storage, switch, ...
    serial_format: str  # see `serial_number` in planning


VENDORS: dict[str, str] = {
    "Huawei": "400-822-9999",
    "H3C": "400-810-0504",
    "Cisco": "400-810-8886",
    "IBM": "400-810-1818",
    "HPE": "400-810-3088",
    "Oracle": "800-810-0366",
    "Hikvision": "400-700-5998",
    "Dell": "400-884-6388",
    "Inspur": "400-860-0011",
}

H = AssetClass.HARDWARE
S = AssetClass.SOFTWARE
N = AssetClass.NETWORK

PRODUCTS: tuple[ProductSpec, ...] = (
    ProductSpec("hw-2288h", "Huawei", "FusionServer 服务器", "2288H V5", H, "server", "2102{a}{d}"),
    ProductSpec("hw-oceanstor", "Huawei", "OceanStor 存储阵列", "5500 V5", H, "storage", "2102{a}{d}"),
    ProductSpec("hw-dorado", "Huawei", "OceanStor Dorado 全闪存存储", "5000 V6", H, "storage", "2102{a}{d}"),
    ProductSpec("hw-ce6881", "Huawei", "CloudEngine 数据中心交换机", "CE6881-48S6CQ", N, "switch", "2102{a}{d}"),
    ProductSpec("hw-s5735", "Huawei", "S5735 园区交换机", "S5735-L48T4X-A1", N, "switch", "2102{a}{d}"),
    ProductSpec("hw-usg6650", "Huawei", "HiSecEngine 防火墙", "USG6650E", N, "firewall", "2102{a}{d}"),
    ProductSpec("h3c-s6850", "H3C", "S6850 核心交换机", "S6850-56HF", N, "switch", "210235{a}{d}"),
    ProductSpec("h3c-s5560", "H3C", "S5560X 接入交换机", "S5560X-54C-EI", N, "switch", "210235{a}{d}"),
    ProductSpec("h3c-r4900", "H3C", "UniServer 服务器", "R4900 G3", H, "server", "210235{a}{d}"),
    ProductSpec("h3c-f1000", "H3C", "SecPath 防火墙", "F1000-AI-20", N, "firewall", "210235{a}{d}"),
    ProductSpec("cisco-c9300", "Cisco", "Catalyst 交换机", "C9300-48P", N, "switch", "FOC{d}{a}"),
    ProductSpec("cisco-n9k", "Cisco", "Nexus 数据中心交换机", "N9K-C93180YC-FX", N, "switch", "FDO{d}{a}"),
    ProductSpec("cisco-asr", "Cisco", "ASR 路由器", "ASR1001-X", N, "router", "FXS{d}{a}"),
    ProductSpec("ibm-s922", "IBM", "Power 小型机", "S922 9009-22A", H, "server", "78{a}{d}"),
    ProductSpec("ibm-protect", "IBM", "Spectrum Protect 备份软件", "", S, "backup", "IBMSP-{d}"),
    ProductSpec("hpe-dl380", "HPE", "ProLiant 服务器", "DL380 Gen10", H, "server", "CZJ{d}{a}"),
    ProductSpec("hpe-primera", "HPE", "Primera 存储", "A630", H, "storage", "CZ{d}{a}"),
    ProductSpec("oracle-db", "Oracle", "Oracle Database 企业版", "19c", S, "database", "CSI-{d}"),
    ProductSpec("hik-camera", "Hikvision", "网络摄像机", "DS-2CD3T86FWDV2-I3S", H, "camera", "DS{d}{a}"),
    ProductSpec("hik-dome", "Hikvision", "球形摄像机", "DS-2DE7440IW-A", H, "camera", "DS{d}{a}"),
    ProductSpec("hik-nvr", "Hikvision", "网络硬盘录像机", "DS-9664N-I16", H, "nvr", "DS{d}{a}"),
    ProductSpec("hik-platform", "Hikvision", "综合安防管理平台", "iSecure Center", S, "video_platform", "HIK-{d}"),
    ProductSpec("dell-r740", "Dell", "PowerEdge 服务器", "R740", H, "server", "{a}"),
    ProductSpec("dell-me4", "Dell", "PowerVault 存储", "ME4024", H, "storage", "{a}"),
    ProductSpec("inspur-nf5280", "Inspur", "浪潮英信服务器", "NF5280M6", H, "server", "2180{d}"),
    ProductSpec("inspur-as5300", "Inspur", "浪潮存储", "AS5300G5", H, "storage", "2190{d}"),
)

STANDARD_WARRANTY = {H: 3, S: 1, N: 3}

TEAMS = (
    "服务台",
    "杭州二线组",
    "苏州二线组",
    "成都二线组",
    "武汉二线组",
    "北京二线组",
    "数据库专家组",
    "网络安全专家组",
)
DATABASE_TEAM = "数据库专家组"
NETWORK_TEAM = "网络安全专家组"

STAFF: tuple[StaffSpec, ...] = (
    StaffSpec("admin", Role.ADMIN, "王", "建国", "+8613905710001"),
    StaffSpec("agent", Role.AGENT, "李", "娜", "+8613905710002", ("服务台",)),
    StaffSpec("agent2", Role.AGENT, "郭", "丽", "+8613905710012", ("服务台",)),
    StaffSpec("dispatcher", Role.DISPATCHER, "张", "伟", "+8613905710003", ("服务台",)),
    StaffSpec("engineer", Role.ENGINEER, "刘", "洋", "+8613905710004", ("杭州二线组",)),
    StaffSpec("expert", Role.EXPERT, "陈", "明", "+8613905710005", ("数据库专家组",)),
    StaffSpec("qc", Role.QUALITY, "杨", "静", "+8613905710006"),
    StaffSpec("manager", Role.MANAGER, "赵", "国强", "+8613905710007"),
    StaffSpec("manager2", Role.MANAGER, "钱", "慧敏", "+8613905710023"),
    StaffSpec("gm", Role.MANAGER, "沈", "卫东", "+8613905710030"),  # 总经理 (told of every complaint)
    StaffSpec("cto", Role.MANAGER, "陆", "志成", "+8613905710031"),  # 技术总监
    StaffSpec("keeper", Role.PARTS_KEEPER, "黄", "磊", "+8613905710008"),
    StaffSpec("archivist", Role.ARCHIVIST, "周", "敏", "+8613905710009"),
    StaffSpec("engineer-hz2", Role.ENGINEER, "吴", "涛", "+8613905710014", ("杭州二线组",)),
    StaffSpec("engineer-sz", Role.ENGINEER, "徐", "斌", "+8613962120015", ("苏州二线组",)),
    StaffSpec("engineer-sz2", Role.ENGINEER, "钱", "文博", "+8613962120016", ("苏州二线组",)),
    StaffSpec("engineer-cd", Role.ENGINEER, "孙", "浩", "+8613908170017", ("成都二线组",)),
    StaffSpec("engineer-wh", Role.ENGINEER, "胡", "军", "+8613907120018", ("武汉二线组",)),
    StaffSpec("engineer-bj", Role.ENGINEER, "朱", "鹏", "+8613901010019", ("北京二线组",)),
    StaffSpec("engineer-bj2", Role.ENGINEER, "高", "翔", "+8613901010020", ("北京二线组",)),
    StaffSpec("engineer-hz3", Role.ENGINEER, "郑", "凯", "+8613905710024", ("杭州二线组",)),
    StaffSpec("engineer-nb", Role.ENGINEER, "蒋", "立新", "+8613905740025", ("杭州二线组",)),
    StaffSpec("engineer-sh", Role.ENGINEER, "曹", "宇", "+8613901210026", ("苏州二线组",)),
    StaffSpec("engineer-cd2", Role.ENGINEER, "谢", "宁", "+8613908170027", ("成都二线组",)),
    StaffSpec("engineer-wh2", Role.ENGINEER, "董", "亮", "+8613907120028", ("武汉二线组",)),
    StaffSpec("engineer-bj3", Role.ENGINEER, "秦", "川", "+8613901010029", ("北京二线组",)),
    StaffSpec("expert-db", Role.EXPERT, "林", "海涛", "+8613901010021", ("数据库专家组",)),
    StaffSpec("expert-net", Role.EXPERT, "何", "志远", "+8613905710022", ("网络安全专家组",)),
    StaffSpec("customer1", Role.CUSTOMER, "马", "骏", "+8613957100101", customer="HZGJJ"),
    StaffSpec("customer2", Role.CUSTOMER, "罗", "晓燕", "+8613880800202", customer="CDJJYY"),
)

# Told when a team's tickets near or pass their SLA targets (the ladders' "team lead").
TEAM_LEADS: dict[str, str] = {
    "服务台": "dispatcher",
    "杭州二线组": "engineer-hz2",
    "苏州二线组": "engineer-sz",
    "成都二线组": "engineer-cd",
    "武汉二线组": "engineer-wh",
    "北京二线组": "engineer-bj",
    "数据库专家组": "expert",
    "网络安全专家组": "expert-net",
}


@dataclass(frozen=True)
class DutySpec:
    """One day of the organisation's roster (值班表): who is on the day and on the night shift."""

    day_manager: str
    day_engineer: str
    night_manager: str
    night_engineer: str


DAY_SHIFT = ("08:30", "17:30")
NIGHT_SHIFT = ("17:30", "08:30")  # into the next morning
# Monday first. The two managers share the weekend; engineers of the Hangzhou and Suzhou teams take turns.
DUTY_ROSTER: tuple[DutySpec, ...] = (
    DutySpec("manager", "engineer", "manager2", "engineer-hz2"),
    DutySpec("manager", "engineer-sz", "manager2", "engineer"),
    DutySpec("manager", "engineer-hz2", "manager2", "engineer-sz2"),
    DutySpec("manager", "engineer-sz2", "manager2", "engineer-sz"),
    DutySpec("manager", "engineer", "manager2", "engineer-hz2"),
    DutySpec("manager2", "engineer-sz", "manager2", "engineer-sz"),
    DutySpec("manager", "engineer-hz2", "manager", "engineer"),
)

CUSTOMERS: tuple[CustomerSpec, ...] = (
    CustomerSpec(
        code="HZGJJ",
        name="杭州市住房公积金管理中心",
        industry="政府机关 · 住房公积金",
        address="浙江省杭州市上城区钱江路 158 号",
        phone="+8657187001234",
        email_domain="hzgjj.example",
        sites=(
            SiteSpec(
                "中心机房",
                "浙江省",
                "杭州市",
                "上城区",
                "钱江路 158 号信息大楼 5 楼",
                "30.245900",
                "120.210700",
                "杭州二线组",
            ),
            SiteSpec(
                "灾备中心",
                "浙江省",
                "杭州市",
                "滨江区",
                "江南大道 588 号 B 座 3 楼",
                "30.208400",
                "120.212000",
                "杭州二线组",
            ),
            SiteSpec(
                "萧山分中心", "浙江省", "杭州市", "萧山区", "市心中路 219 号", "30.163000", "120.270100", "杭州二线组"
            ),
        ),
        contacts=(
            ContactSpec("马骏", "+8613957100101", "majun@hzgjj.example", "信息科科长", "中心机房"),
            ContactSpec("沈丽华", "+8613857102233", "shenlihua@hzgjj.example", "系统管理员", "中心机房"),
            ContactSpec("潘志刚", "+8615968104455", "panzhigang@hzgjj.example", "灾备中心值班长", "灾备中心"),
            ContactSpec("傅晓东", "+8618657106677", "fuxiaodong@hzgjj.example", "分中心综合办主任", "萧山分中心"),
        ),
        contracts=(
            ContractSpec(
                "HZGJJ-OM",
                "公积金核心业务系统运维服务",
                "gold",
                Coverage.ALWAYS,
                1.5,
                3,
                STANDARD_WARRANTY,
                lifetime_maintenance=True,
                hourly_rate=480,
                travel_rate=300,
            ),
        ),
        assets=(
            AssetGroupSpec("中心机房", "hw-2288h", 4, 1.4, "HZGJJ-OM", "EulerOS", "2.0 SP10"),
            AssetGroupSpec("中心机房", "hw-oceanstor", 1, 1.4, "HZGJJ-OM", "OceanStor OS", "V500R007C71"),
            AssetGroupSpec("中心机房", "oracle-db", 1, 1.4, "HZGJJ-OM", "Oracle Database", "19.21"),
            AssetGroupSpec("中心机房", "h3c-s6850", 2, 1.4, "HZGJJ-OM", "Comware", "7.1.070"),
            AssetGroupSpec("中心机房", "hw-usg6650", 1, 1.4, "HZGJJ-OM", "VRP", "V600R007C20"),
            AssetGroupSpec("中心机房", "ibm-s922", 2, 5.2, "HZGJJ-OM", "AIX", "7.2 TL5"),
            AssetGroupSpec("灾备中心", "hpe-dl380", 2, 4.5, "HZGJJ-OM", "Red Hat Enterprise Linux", "7.9"),
            AssetGroupSpec("灾备中心", "ibm-protect", 1, 2.5, "HZGJJ-OM", "Spectrum Protect", "8.1.19"),
            AssetGroupSpec("萧山分中心", "dell-r740", 1, 2.0, "HZGJJ-OM", "Windows Server", "2019"),
            AssetGroupSpec("萧山分中心", "hw-s5735", 2, 2.0, "HZGJJ-OM", "VRP", "V200R021C00"),
        ),
    ),
    CustomerSpec(
        code="SZGASP",
        name="苏州市公安局视频专网",
        industry="公安 · 视频监控",
        address="江苏省苏州市姑苏区人民路 1688 号",
        phone="+8651265225110",
        email_domain="szga.example",
        sites=(
            SiteSpec(
                "指挥中心机房",
                "江苏省",
                "苏州市",
                "姑苏区",
                "人民路 1688 号指挥中心 6 楼",
                "31.304600",
                "120.618300",
                "苏州二线组",
            ),
            SiteSpec(
                "工业园区分局监控中心",
                "江苏省",
                "苏州市",
                "苏州工业园区",
                "星湖街 328 号",
                "31.315200",
                "120.724500",
                "苏州二线组",
            ),
            SiteSpec(
                "吴中分局监控中心",
                "江苏省",
                "苏州市",
                "吴中区",
                "东吴北路 99 号",
                "31.270700",
                "120.632100",
                "苏州二线组",
            ),
        ),
        contacts=(
            ContactSpec("顾建明", "+8613962130011", "gujianming@szga.example", "科技信息化处副处长", "指挥中心机房"),
            ContactSpec("陆晨", "+8615850120022", "luchen@szga.example", "视频专网运维负责人", "指挥中心机房"),
            ContactSpec(
                "蒋伟东", "+8618912130033", "jiangweidong@szga.example", "园区分局技术员", "工业园区分局监控中心"
            ),
        ),
        contracts=(
            ContractSpec(
                "SZGA-VIDEO",
                "视频专网及监控前端运维服务",
                "gold",
                Coverage.ALWAYS,
                0.8,
                3,
                {H: 3, S: 1, N: 3},
                hourly_rate=400,
                travel_rate=200,
            ),
        ),
        assets=(
            AssetGroupSpec("指挥中心机房", "hik-platform", 1, 0.7, "SZGA-VIDEO", "iSecure Center", "V1.7.2"),
            AssetGroupSpec("指挥中心机房", "inspur-nf5280", 3, 0.7, "SZGA-VIDEO", "Kylin Server", "V10 SP3"),
            AssetGroupSpec("指挥中心机房", "hw-oceanstor", 2, 0.7, "SZGA-VIDEO", "OceanStor OS", "V500R007C73"),
            AssetGroupSpec("指挥中心机房", "hw-ce6881", 2, 0.7, "SZGA-VIDEO", "VRP", "V200R022C00"),
            AssetGroupSpec("工业园区分局监控中心", "hik-nvr", 2, 0.7, "SZGA-VIDEO", "NVR Firmware", "V4.62.210"),
            AssetGroupSpec("工业园区分局监控中心", "hik-camera", 6, 0.7, "SZGA-VIDEO", "IPC Firmware", "V5.7.15"),
            AssetGroupSpec("工业园区分局监控中心", "cisco-c9300", 1, 3.6, None, "IOS XE", "17.6.5"),
            AssetGroupSpec("吴中分局监控中心", "hik-nvr", 1, 0.7, "SZGA-VIDEO", "NVR Firmware", "V4.62.210"),
            AssetGroupSpec("吴中分局监控中心", "hik-dome", 4, 0.7, "SZGA-VIDEO", "IPC Firmware", "V5.7.12"),
        ),
    ),
    CustomerSpec(
        code="CDJJYY",
        name="成都市锦江中心医院",
        industry="医疗卫生",
        address="四川省成都市锦江区红星路三段 66 号",
        phone="+862886501120",
        email_domain="jjhospital.example",
        sites=(
            SiteSpec(
                "门诊楼信息中心机房",
                "四川省",
                "成都市",
                "锦江区",
                "红星路三段 66 号门诊楼 4 楼",
                "30.656100",
                "104.083400",
                "成都二线组",
            ),
            SiteSpec(
                "住院部机房",
                "四川省",
                "成都市",
                "锦江区",
                "红星路三段 66 号住院部负一楼",
                "30.655300",
                "104.084900",
                "成都二线组",
            ),
            SiteSpec(
                "东区分院", "四川省", "成都市", "成华区", "建设北路二段 18 号", "30.675800", "104.101200", "成都二线组"
            ),
        ),
        contacts=(
            ContactSpec(
                "罗晓燕", "+8613880800202", "luoxiaoyan@jjhospital.example", "信息中心主任", "门诊楼信息中心机房"
            ),
            ContactSpec("邓磊", "+8613981900303", "denglei@jjhospital.example", "HIS 系统管理员", "门诊楼信息中心机房"),
            ContactSpec("唐芳", "+8615828000404", "tangfang@jjhospital.example", "网络管理员", "住院部机房"),
            ContactSpec("冯涛", "+8618982000505", "fengtao@jjhospital.example", "东区分院设备科", "东区分院"),
        ),
        contracts=(
            ContractSpec(
                "CDJJ-OLD",
                "HIS 系统硬件维保服务（上一期）",
                "silver",
                Coverage.ALWAYS,
                4.5,
                3,
                STANDARD_WARRANTY,
                hourly_rate=350,
                travel_rate=150,
                status=ContractStatus.EXPIRED,
            ),
            ContractSpec(
                "CDJJ-OM",
                "医院信息系统运维服务",
                "silver",
                Coverage.ALWAYS,
                1.2,
                3,
                STANDARD_WARRANTY,
                lifetime_maintenance=True,
                hourly_rate=380,
                travel_rate=150,
            ),
        ),
        assets=(
            AssetGroupSpec("门诊楼信息中心机房", "dell-r740", 3, 1.1, "CDJJ-OM", "Windows Server", "2019"),
            AssetGroupSpec("门诊楼信息中心机房", "oracle-db", 1, 4.3, "CDJJ-OM", "Oracle Database", "19.19"),
            AssetGroupSpec("门诊楼信息中心机房", "hpe-primera", 1, 1.1, "CDJJ-OM", "Primera OS", "4.5.10"),
            AssetGroupSpec("门诊楼信息中心机房", "cisco-n9k", 2, 4.3, "CDJJ-OM", "NX-OS", "9.3(10)"),
            AssetGroupSpec("住院部机房", "inspur-nf5280", 2, 1.1, "CDJJ-OM", "CentOS", "7.9"),
            AssetGroupSpec("住院部机房", "ibm-protect", 1, 1.1, "CDJJ-OM", "Spectrum Protect", "8.1.20"),
            AssetGroupSpec("东区分院", "hpe-dl380", 1, 4.3, "CDJJ-OM", "Windows Server", "2016"),
            AssetGroupSpec("东区分院", "h3c-s5560", 2, 4.3, "CDJJ-OM", "Comware", "7.1.070"),
        ),
    ),
    CustomerSpec(
        code="WHJAJY",
        name="武汉市江岸区教育局",
        industry="教育",
        address="湖北省武汉市江岸区沿江大道 118 号",
        phone="+862782770601",
        email_domain="jajy.example",
        sites=(
            SiteSpec(
                "教育城域网中心机房",
                "湖北省",
                "武汉市",
                "江岸区",
                "沿江大道 118 号 3 楼",
                "30.589900",
                "114.301700",
                "武汉二线组",
            ),
            SiteSpec(
                "育才实验小学", "湖北省", "武汉市", "江岸区", "胜利街 210 号", "30.592400", "114.297300", "武汉二线组"
            ),
            SiteSpec(
                "江岸区第一中学",
                "湖北省",
                "武汉市",
                "江岸区",
                "解放大道 1555 号",
                "30.613500",
                "114.287600",
                "武汉二线组",
            ),
            SiteSpec(
                "后湖实验学校", "湖北省", "武汉市", "江岸区", "后湖大道 66 号", "30.650100", "114.288900", "武汉二线组"
            ),
        ),
        contacts=(
            ContactSpec("汪海燕", "+8613871260001", "wanghaiyan@jajy.example", "电教馆馆长", "教育城域网中心机房"),
            ContactSpec("程亮", "+8615927260002", "chengliang@jajy.example", "网络管理员", "教育城域网中心机房"),
            ContactSpec("彭慧", "+8618971260003", "penghui@jajy.example", "信息技术教师", "育才实验小学"),
        ),
        contracts=(
            ContractSpec(
                "WHJY-NET",
                "教育城域网及校园安防维保服务",
                "standard",
                Coverage.BUSINESS_HOURS,
                1.0,
                2,
                {H: 3, S: 1, N: 3},
                hourly_rate=260,
                travel_rate=100,
            ),
        ),
        assets=(
            AssetGroupSpec("教育城域网中心机房", "h3c-s6850", 2, 0.9, "WHJY-NET", "Comware", "7.1.070"),
            AssetGroupSpec("教育城域网中心机房", "h3c-r4900", 2, 0.9, "WHJY-NET", "Kylin Server", "V10"),
            AssetGroupSpec("教育城域网中心机房", "h3c-f1000", 1, 0.9, "WHJY-NET", "Comware", "7.1.064"),
            AssetGroupSpec("教育城域网中心机房", "dell-r740", 1, 4.8, "WHJY-NET", "Windows Server", "2016"),
            AssetGroupSpec("育才实验小学", "hik-camera", 4, 0.9, "WHJY-NET", "IPC Firmware", "V5.7.15"),
            AssetGroupSpec("育才实验小学", "h3c-s5560", 1, 0.9, "WHJY-NET", "Comware", "7.1.070"),
            AssetGroupSpec("江岸区第一中学", "hik-nvr", 1, 0.9, "WHJY-NET", "NVR Firmware", "V4.61.005"),
            AssetGroupSpec("江岸区第一中学", "hik-camera", 3, 0.9, "WHJY-NET", "IPC Firmware", "V5.7.15"),
            AssetGroupSpec("后湖实验学校", "h3c-s5560", 1, 3.8, "WHJY-NET", "Comware", "7.1.064"),
        ),
    ),
    CustomerSpec(
        code="NBHL",
        name="宁波海联精密制造有限公司",
        industry="制造业",
        address="浙江省宁波市北仑区大港五路 88 号",
        phone="+8657486801888",
        email_domain="hailian.example",
        sites=(
            SiteSpec(
                "总部数据中心",
                "浙江省",
                "宁波市",
                "北仑区",
                "大港五路 88 号综合楼 2 楼",
                "29.909400",
                "121.844700",
                "杭州二线组",
            ),
            SiteSpec(
                "研发中心",
                "浙江省",
                "宁波市",
                "鄞州区",
                "启明路 818 号创新园 12 幢",
                "29.816500",
                "121.557900",
                "杭州二线组",
            ),
            SiteSpec(
                "二期厂区机房",
                "浙江省",
                "宁波市",
                "镇海区",
                "骆驼街道金山路 16 号",
                "29.983200",
                "121.633100",
                "杭州二线组",
            ),
        ),
        contacts=(
            ContactSpec("应国华", "+8613805740011", "yingguohua@hailian.example", "IT 经理", "总部数据中心"),
            ContactSpec("毛佳琪", "+8615888740022", "maojiaqi@hailian.example", "ERP 系统管理员", "总部数据中心"),
            ContactSpec("邵斌", "+8618067440033", "shaobin@hailian.example", "二期厂区设备主管", "二期厂区机房"),
        ),
        contracts=(
            ContractSpec(
                "NBHL-ERP",
                "ERP 及数据中心维保服务",
                "silver",
                Coverage.BUSINESS_HOURS,
                2.0,
                4,
                {H: 3, S: 1, N: 3},
                lifetime_maintenance=True,
                hourly_rate=450,
                travel_rate=400,
                sites=("总部数据中心", "研发中心"),
            ),
        ),
        assets=(
            AssetGroupSpec("总部数据中心", "ibm-s922", 2, 6.0, "NBHL-ERP", "AIX", "7.2 TL4"),
            AssetGroupSpec("总部数据中心", "oracle-db", 1, 6.0, "NBHL-ERP", "Oracle Database", "12.2"),
            AssetGroupSpec("总部数据中心", "hpe-dl380", 3, 1.8, "NBHL-ERP", "VMware ESXi", "7.0 U3"),
            AssetGroupSpec("总部数据中心", "dell-me4", 1, 1.8, "NBHL-ERP", "ME4 Firmware", "GT280R010"),
            AssetGroupSpec("总部数据中心", "cisco-asr", 1, 5.5, "NBHL-ERP", "IOS XE", "16.9.8"),
            AssetGroupSpec("研发中心", "hw-s5735", 2, 1.8, "NBHL-ERP", "VRP", "V200R021C10"),
            AssetGroupSpec("二期厂区机房", "hw-s5735", 2, 2.5, None, "VRP", "V200R019C10"),
            AssetGroupSpec("二期厂区机房", "dell-r740", 1, 2.5, None, "Windows Server", "2019"),
        ),
    ),
    CustomerSpec(
        code="BJHDZW",
        name="北京市海淀区政务服务管理局",
        industry="政府机关 · 政务服务",
        address="北京市海淀区四季青路 6 号",
        phone="+861088489001",
        email_domain="hdzw.example",
        sites=(
            SiteSpec(
                "政务服务中心机房",
                "北京市",
                "北京市",
                "海淀区",
                "四季青路 6 号 B1 层",
                "39.956500",
                "116.267600",
                "北京二线组",
            ),
            SiteSpec(
                "区政务云机房",
                "北京市",
                "北京市",
                "海淀区",
                "丰贤中路 7 号 3 号楼",
                "40.060900",
                "116.163400",
                "北京二线组",
            ),
        ),
        contacts=(
            ContactSpec("白云鹏", "+8613910880011", "baiyunpeng@hdzw.example", "信息中心副主任", "政务服务中心机房"),
            ContactSpec("韩雪", "+8615001880022", "hanxue@hdzw.example", "政务云运维负责人", "区政务云机房"),
        ),
        contracts=(
            ContractSpec(
                "BJHD-CLOUD",
                "政务服务平台及政务云基础设施运维",
                "gold",
                Coverage.ALWAYS,
                0.5,
                3,
                {H: 5, S: 2, N: 5},
                hourly_rate=520,
                travel_rate=0,
            ),
        ),
        assets=(
            AssetGroupSpec("区政务云机房", "inspur-nf5280", 4, 0.4, "BJHD-CLOUD", "Kylin Server", "V10 SP3"),
            AssetGroupSpec("区政务云机房", "hw-dorado", 1, 0.4, "BJHD-CLOUD", "OceanStor OS", "6.1.5"),
            AssetGroupSpec("区政务云机房", "inspur-as5300", 1, 0.4, "BJHD-CLOUD", "InStorage", "V5.3.0"),
            AssetGroupSpec("政务服务中心机房", "h3c-f1000", 1, 0.4, "BJHD-CLOUD", "Comware", "7.1.064"),
            AssetGroupSpec("政务服务中心机房", "hw-ce6881", 2, 0.4, "BJHD-CLOUD", "VRP", "V200R022C00"),
            AssetGroupSpec("政务服务中心机房", "oracle-db", 1, 0.4, "BJHD-CLOUD", "Oracle Database", "19.22"),
        ),
    ),
)
