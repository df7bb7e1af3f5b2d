"""The demo's spare parts, preventive maintenance, paperwork, training and handover reference data and texts.

Part numbers follow the vendors' own formats (Huawei 0231xxxx BOM codes, HPE xxxxxx-B21 options, Cisco product
IDs, Dell 400-xxxx SKUs); descriptions, prices and serial numbers are invented. Every product key is one of
catalogue.PRODUCTS, every username one of catalogue.STAFF (a test checks both).
"""

from dataclasses import dataclass

from aftersales.maintenance.choices import ItemKind, Recurrence

# Spare parts -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SparePartSpec:
    key: str
    vendor: str  # catalogue.VENDORS key
    part_number: str
    description: str
    products: tuple[str, ...]  # catalogue.PRODUCTS keys it fits
    unit_cost: str
    serialised: bool = False
    spares_per_hundred: str = "2"  # per 100 installed units of the products it fits


SPARE_PARTS: tuple[SparePartSpec, ...] = (
    SparePartSpec(
        "hw-hdd", "Huawei", "02311HAP", "1.2TB 10K RPM SAS 2.5 英寸硬盘", ("hw-2288h",), "1850.00", True, "50"
    ),
    SparePartSpec(
        "hw-ssd",
        "Huawei",
        "02353AGF",
        "1.92TB SAS SSD 硬盘（OceanStor 硬盘框）",
        ("hw-oceanstor", "hw-dorado"),
        "4200.00",
        True,
        "100",
    ),
    SparePartSpec(
        "hw-nlsas", "Huawei", "02311TKM", "4TB 7.2K RPM NL-SAS 3.5 英寸硬盘", ("hw-oceanstor",), "2600.00", True, "100"
    ),
    SparePartSpec("hw-psu", "Huawei", "02312CTB", "600W 交流电源模块", ("hw-usg6650", "hw-ce6881"), "1600.00"),
    SparePartSpec(
        "hw-sfp", "Huawei", "OMXD30000", "10GE SFP+ 多模光模块（850nm，0.3km）", ("hw-ce6881", "hw-s5735"), "380.00"
    ),
    SparePartSpec(
        "h3c-sfp",
        "H3C",
        "SFP-XG-SX-MM850-D",
        "10GE SFP+ 多模光模块（850nm，300m）",
        ("h3c-s6850", "h3c-s5560"),
        "420.00",
    ),
    SparePartSpec("h3c-psu", "H3C", "LSVM1AC650", "650W 交流电源模块", ("h3c-s6850",), "2100.00", True),
    SparePartSpec("cisco-glc", "Cisco", "GLC-SX-MMD", "1000BASE-SX SFP 光模块", ("cisco-c9300",), "650.00"),
    SparePartSpec(
        "cisco-sfp10g", "Cisco", "SFP-10G-SR", "10GBASE-SR SFP+ 光模块", ("cisco-n9k", "cisco-c9300"), "1100.00"
    ),
    SparePartSpec(
        "cisco-psu", "Cisco", "ASR1001X-AC-750", "ASR1001-X 750W 交流电源模块", ("cisco-asr",), "3200.00", True
    ),
    # The IBM Power S922 was discontinued long ago: its parts are what the ten-year promise is about.
    SparePartSpec(
        "ibm-hdd",
        "IBM",
        "01LL587",
        "Power 600GB 10K RPM SAS SFF-3 硬盘（FC ESEY）",
        ("ibm-s922",),
        "3600.00",
        True,
        "100",
    ),
    SparePartSpec(
        "ibm-psu", "IBM", "01KL599", "Power 1400W 交流电源模块（FC EB2M）", ("ibm-s922",), "5800.00", True, "75"
    ),
    SparePartSpec(
        "hpe-hdd", "HPE", "872479-B21", "1.2TB 12G SAS 10K SFF 热插拔硬盘", ("hpe-dl380",), "2300.00", True, "50"
    ),
    SparePartSpec(
        "hpe-psu", "HPE", "865414-B21", "800W Flex Slot 白金热插拔电源", ("hpe-dl380",), "1500.00", False, "100"
    ),
    SparePartSpec(
        "hpe-dimm", "HPE", "P00924-B21", "32GB 双列 x4 DDR4-2933 内存", ("hpe-dl380",), "2900.00", False, "20"
    ),
    SparePartSpec(
        "dell-hdd", "Dell", "400-AJPI", "1.2TB 10K RPM SAS 12Gbps 2.5 英寸硬盘", ("dell-r740",), "1700.00", True
    ),
    SparePartSpec(
        "inspur-hdd",
        "Inspur",
        "YZHD-1T2S10K-M6",
        "1.2TB 10K RPM SAS 2.5 英寸硬盘",
        ("inspur-nf5280", "inspur-as5300"),
        "1650.00",
        True,
        "50",
    ),
    SparePartSpec(
        "h3c-hdd", "H3C", "0231AC4T", "1.2TB 10K RPM SAS 2.5 英寸硬盘（UniServer）", ("h3c-r4900",), "1750.00", True
    ),
    SparePartSpec(
        "hik-hdd", "Hikvision", "ST4000VX015", "4TB 监控级硬盘（NVR 用）", ("hik-nvr",), "680.00", False, "200"
    ),
    SparePartSpec(
        "hik-board", "Hikvision", "DS-2CD3T86-MB", "DS-2CD3T86 网络摄像机主板", ("hik-camera",), "460.00", True
    ),
    SparePartSpec("hik-ptz", "Hikvision", "DS-2DE7440-PTZ", "DS-2DE7440 球机云台驱动板", ("hik-dome",), "980.00", True),
)

# The parts that fit each product, in the catalogue's order.
PARTS_BY_PRODUCT: dict[str, tuple[SparePartSpec, ...]] = {
    product: tuple(part for part in SPARE_PARTS if product in part.products)
    for product in sorted({product for part in SPARE_PARTS for product in part.products})
}

# Products the vendors stopped selling: (years since end of sale, years since end of life or None).
DISCONTINUED: dict[str, tuple[float, float | None]] = {
    "ibm-s922": (8.4, 3.2),  # 1.6 years of the ten-year promise left
    "hpe-dl380": (0.7, None),  # discontinued this year, still supported by HPE
}


@dataclass(frozen=True)
class WarehouseSpec:
    name: str
    kind: str  # parts.choices.WarehouseKind value
    city: str
    address: str
    provinces: tuple[str, ...] = ()  # sites it serves first (its region)
    engineer: str = ""  # for a van


WAREHOUSES: tuple[WarehouseSpec, ...] = (
    WarehouseSpec(
        "北京中心库", "central", "北京市", "北京市大兴区经济技术开发区科创十三街 18 号院 3 号库", ("北京市",)
    ),
    WarehouseSpec(
        "杭州备件库", "regional", "杭州市", "杭州市滨江区长河路 351 号 2 号楼 1 层", ("浙江省", "江苏省", "上海市")
    ),
    WarehouseSpec("成都备件库", "regional", "成都市", "成都市高新区天府五街 200 号 B 区 1 层", ("四川省",)),
    WarehouseSpec("武汉备件库", "regional", "武汉市", "武汉市东湖高新区光谷大道 77 号 C 栋", ("湖北省",)),
    WarehouseSpec("刘洋的工程车（浙A·D2K86）", "van", "杭州市", "", engineer="engineer"),
    WarehouseSpec("孙浩的工程车（川A·F7Q31）", "van", "成都市", "", engineer="engineer-cd"),
)

# (warehouse, part key, quantity received, reorder point). Below the reorder point: 杭州 02353AGF and
# SFP-XG-SX-MM850-D, 成都 872479-B21, 武汉 ST4000VX015. Short of the installed base: the IBM S922's power supply
# (4 units in service need 3, one is in stock) and the DL380 Gen10's (6 need 6, 4 are in stock).
STOCK: tuple[tuple[str, str, int, int], ...] = (
    ("北京中心库", "hw-hdd", 8, 4),
    ("北京中心库", "hw-ssd", 6, 3),
    ("北京中心库", "hw-nlsas", 6, 3),
    ("北京中心库", "hw-psu", 4, 2),
    ("北京中心库", "hw-sfp", 20, 8),
    ("北京中心库", "h3c-sfp", 12, 6),
    ("北京中心库", "h3c-psu", 3, 1),
    ("北京中心库", "cisco-glc", 10, 4),
    ("北京中心库", "cisco-sfp10g", 8, 4),
    ("北京中心库", "cisco-psu", 2, 1),
    ("北京中心库", "ibm-hdd", 4, 2),
    ("北京中心库", "ibm-psu", 1, 2),
    ("北京中心库", "hpe-hdd", 6, 3),
    ("北京中心库", "hpe-psu", 3, 2),
    ("北京中心库", "hpe-dimm", 4, 2),
    ("北京中心库", "dell-hdd", 5, 2),
    ("北京中心库", "inspur-hdd", 4, 2),
    ("北京中心库", "h3c-hdd", 3, 1),
    ("北京中心库", "hik-ptz", 2, 1),
    ("北京中心库", "hik-hdd", 10, 4),
    ("北京中心库", "hik-board", 6, 2),
    ("杭州备件库", "hw-hdd", 4, 2),
    ("杭州备件库", "hw-ssd", 1, 2),
    ("杭州备件库", "hw-sfp", 10, 4),
    ("杭州备件库", "h3c-sfp", 2, 4),
    ("杭州备件库", "hpe-hdd", 3, 1),
    ("杭州备件库", "hpe-psu", 1, 1),
    ("杭州备件库", "hik-hdd", 8, 4),
    ("杭州备件库", "hik-board", 4, 2),
    ("杭州备件库", "dell-hdd", 2, 1),
    ("杭州备件库", "inspur-hdd", 2, 1),
    ("杭州备件库", "hik-ptz", 1, 1),
    ("成都备件库", "hpe-hdd", 1, 2),
    ("成都备件库", "dell-hdd", 3, 1),
    ("成都备件库", "cisco-sfp10g", 4, 2),
    ("成都备件库", "h3c-sfp", 4, 2),
    ("武汉备件库", "h3c-sfp", 6, 2),
    ("武汉备件库", "hik-hdd", 2, 3),
    ("武汉备件库", "hik-board", 3, 1),
    ("武汉备件库", "h3c-hdd", 2, 1),
    ("刘洋的工程车（浙A·D2K86）", "hw-hdd", 2, 0),
    ("刘洋的工程车（浙A·D2K86）", "hw-sfp", 4, 0),
    ("刘洋的工程车（浙A·D2K86）", "h3c-sfp", 2, 0),
    ("刘洋的工程车（浙A·D2K86）", "dell-hdd", 1, 0),
    ("孙浩的工程车（川A·F7Q31）", "dell-hdd", 2, 0),
    ("孙浩的工程车（川A·F7Q31）", "cisco-sfp10g", 2, 0),
)
RECEIVED_NOTE = "{vendor} 备件入库（采购订单 PO-{year}-{number:04d}）"
# RMA of the warehouses' own units: one replaced free by the vendor, one still at the vendor.
RMA_REPLACED = {
    "part": "hw-ssd",
    "warehouse": "北京中心库",
    "serial": "2102312KMN10L4000371",
    "case": "HW-RMA-20250412-0087",
    "replacement": "2102312KMN10M6001154",
    "note": "入库抽检时硬盘自检失败（SMART 告警），未上架使用。",
}
RMA_AT_VENDOR = {
    "part": "hpe-hdd",
    "warehouse": "杭州备件库",
    "serial": "7FK3A12B0D4M",
    "case": "HPE Case 5078823416",
    "note": "工程车备件上机后阵列卡报预测性故障，已撤回并更换其他备件。",
}
TRACKING_NUMBERS = ("SF1402736691284", "SF1402736745120", "JD0087421369854", "SF1402737001967")
ABROAD_TRACKING = "DHL 4917 3826 50"
FAULTY_SERIAL = "{prefix}FLT{key:04d}"
PART_NOTES = {
    "late": "北京中心库发货，顺丰特快；客户机房周末不收件，快递滞留。",
    "abroad": "国内无库存，原厂从新加坡备件中心发货，走国际快递清关。",
    "on_time": "就近从区域备件库调拨，工程师当天到场更换。",
    "advance": "备件先行：先送好件，故障件由客户拆下后寄回。",
}


# Preventive maintenance ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSpec:
    label: str
    kind: str = ItemKind.PASS_FAIL
    expected: str = ""
    unit: str = ""
    minimum: str | None = None
    maximum: str | None = None
    good: str = ""  # the usual remark, or the reading's centre for readings


@dataclass(frozen=True)
class ChecklistSpec:
    name: str
    description: str
    items: tuple[ItemSpec, ...]


ROOM = "机房巡检"
VIDEO = "视频监控巡检"
CHECKLISTS: tuple[ChecklistSpec, ...] = (
    ChecklistSpec(
        ROOM,
        "数据中心机房及在保设备的例行巡检（依据 GB 50174 及合同巡检条款）。",
        (
            ItemSpec("精密空调运行状态", expected="运行正常，无告警", good="两台精密空调运行正常，无告警。"),
            ItemSpec("机房温度（冷通道）", ItemKind.READING, "18–27 °C", "°C", "18", "27", "23.5"),
            ItemSpec("机房相对湿度", ItemKind.READING, "40–70 %", "%", "40", "70", "52"),
            ItemSpec(
                "UPS 运行状态及电池组", expected="无告警，电池电压、内阻正常", good="UPS 负载率 38%，电池组电压正常。"
            ),
            ItemSpec("UPS 电池后备时间", ItemKind.READING, "不少于 15 分钟", "分钟", "15", None, "28"),
            ItemSpec("消防系统（气体灭火控制器、烟感）", expected="控制器无故障，压力表在绿区"),
            ItemSpec("门禁及机房视频监控", expected="门禁记录完整，监控画面正常"),
            ItemSpec("在保设备告警灯、硬盘及电源状态", expected="无告警灯，硬盘及电源全部在线"),
            ItemSpec("机柜正面照片", ItemKind.PHOTO, "整机柜正面，能看清告警灯"),
            ItemSpec("其他发现", ItemKind.TEXT, good="无。"),
        ),
    ),
    ChecklistSpec(
        VIDEO,
        "视频专网前端、存储及平台的例行巡检。",
        (
            ItemSpec("平台服务器及存储运行状态", expected="服务正常，无告警"),
            ItemSpec("摄像机在线率", ItemKind.READING, "不低于 98 %", "%", "98", "100", "99.6"),
            ItemSpec("录像完整性抽查（近 7 天）", expected="抽查 10 路，无断档"),
            ItemSpec("NVR 硬盘状态", expected="全部硬盘正常，无坏道告警"),
            ItemSpec("存储空间使用率", ItemKind.READING, "不超过 85 %", "%", None, "85", "71"),
            ItemSpec("立杆、箱体及防雷接地", expected="箱体密封良好，接地可靠"),
            ItemSpec("时钟同步偏差（NTP）", ItemKind.READING, "不超过 2 秒", "秒", None, "2", "0.4"),
            ItemSpec("其他发现", ItemKind.TEXT, good="无。"),
        ),
    ),
)


@dataclass(frozen=True)
class PlanSpec:
    contract: str  # ContractSpec.key
    site: str
    title: str
    scope: str
    checklist: str
    recurrence: str
    engineer: str = ""  # or the team's lead does it
    team: str = ""
    weekday: int | None = None
    day_of_month: int | None = None
    week_of_month: int | None = None
    products: tuple[str, ...] = ()  # the site's assets of these products are the plan's assets
    lead_days: int = 30  # how far ahead the nightly task plans its inspections


PLANS: tuple[PlanSpec, ...] = (
    PlanSpec(
        "HZGJJ-OM",
        "中心机房",
        "中心机房月度巡检",
        "机房环境、UPS、消防及核心业务服务器、存储",
        ROOM,
        Recurrence.MONTHLY_DAY,
        engineer="engineer",
        day_of_month=15,
        products=("hw-2288h", "hw-oceanstor"),
    ),
    PlanSpec(
        "HZGJJ-OM",
        "灾备中心",
        "灾备中心每月第一个周一巡检",
        "灾备机房环境、备份系统及灾备服务器",
        ROOM,
        Recurrence.MONTHLY_WEEKDAY,
        engineer="engineer-hz2",
        weekday=0,
        week_of_month=1,
        products=("hpe-dl380",),
    ),
    PlanSpec(
        "SZGA-VIDEO",
        "工业园区分局监控中心",
        "园区分局视频监控周巡检",
        "园区分局前端摄像机、NVR 及监控中心大屏（与分局每周商定的巡检计划）",
        VIDEO,
        Recurrence.WEEKLY,
        engineer="engineer-sz",
        weekday=2,
        products=("hik-nvr", "hik-camera"),
    ),
    PlanSpec(
        "CDJJ-OM",
        "门诊楼信息中心机房",
        "信息中心机房季度巡检",
        "HIS 服务器、Primera 存储、核心交换机及机房环境",
        ROOM,
        Recurrence.QUARTERLY,
        team="成都二线组",
        day_of_month=10,
        products=("dell-r740", "hpe-primera"),
        lead_days=100,
    ),
    PlanSpec(
        "BJHD-CLOUD",
        "区政务云机房",
        "政务云机房月度巡检",
        "政务云服务器、全闪存存储及机房环境",
        ROOM,
        Recurrence.MONTHLY_DAY,
        engineer="engineer-bj",
        day_of_month=5,
        products=("inspur-nf5280", "hw-dorado"),
    ),
    PlanSpec(
        "WHJY-NET",
        "江岸区第一中学",
        "校园视频监控月末巡检",
        "校园摄像机、NVR 及安防平台",
        VIDEO,
        Recurrence.MONTHLY_WEEKDAY,
        engineer="engineer-wh",
        weekday=4,
        week_of_month=-1,
        products=("hik-nvr", "hik-camera"),
    ),
)
HISTORY_DAYS = 42  # inspections are generated from this many days ago (the past ones are worked), then ahead
INSPECTION_SUMMARY = "巡检完成，设备及环境运行正常。"
FINDING = {  # the failed item raised as a ticket: the room's temperature on the latest monthly inspection
    "plan": "中心机房月度巡检",
    "item": "机房温度（冷通道）",
    "reading": "29.5",
    "text": "2 号精密空调压缩机高压告警，冷通道温度偏高，已临时开启备用空调。",
    "summary": "2 号精密空调故障导致冷通道温度超标，已报修；其余项目正常。",
}
UNRAISED = {  # a failed item left for someone to raise: the cameras online on the latest weekly inspection
    "plan": "园区分局视频监控周巡检",
    "item": "摄像机在线率",
    "reading": "96.5",
    "text": "星湖街东段 3 路摄像机离线，疑似光纤中断，待与运营商核实。",
    "summary": "3 路摄像机离线，其余正常。",
}


# Weekly plan and report --------------------------------------------------------------------------------------

RESIDENT = {"engineer": "engineer", "customer": "HZGJJ", "site": "中心机房", "lead": "马骏"}
WEEKLY_PLAN = (
    "1. 周一至周五每日 9:00 巡视中心机房，记录空调、UPS 及核心设备告警；\n"
    "2. 周三 22:00 配合信息科完成公积金核心库 Oracle 补丁（19.22 RU）变更，变更窗口 2 小时；\n"
    "3. 周四协助灾备中心完成 Spectrum Protect 备份恢复演练；\n"
    "4. 周五整理本周巡检记录及问题清单，报送信息科。"
)
NEXT_WEEK_PLAN = "1. 每日机房巡视；\n2. 跟进 2 号精密空调维修；\n3. 配合完成萧山分中心交换机固件升级（待信息科审批）。"
REPORT_ADDITION = "驻场日常：每日巡视机房，协助用户处理桌面及打印问题 6 起。"


# Training ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingSpec:
    customer: str
    topic: str
    trainer: str
    days_from_today: int  # negative: held already
    start: str
    end: str
    place: str
    attendees: tuple[tuple[str, str, str], ...]  # name, department, phone
    materials: tuple[str, ...]  # file names (see demo.files)
    feedback: str = ""


TRAININGS: tuple[TrainingSpec, ...] = (
    TrainingSpec(
        "HZGJJ",
        "OceanStor 5500 V5 存储日常运维培训",
        "engineer",
        -10,
        "14:00",
        "16:30",
        "信息大楼 5 楼第二会议室",
        (
            ("马骏", "信息科", "+8613957100101"),
            ("沈丽华", "信息科", "+8613857102233"),
            ("潘志刚", "灾备中心", "+8615968104455"),
            ("傅晓东", "萧山分中心", "+8618657106677"),
        ),
        ("OceanStor-5500-V5-operations.pdf", "存储日常运维培训提纲.txt"),
        "讲解清晰，现场演示了硬盘更换和告警处理流程；学员希望下次增加快照与远程复制的实操。",
    ),
    TrainingSpec(
        "CDJJYY",
        "HIS 数据库高可用与备份恢复演练培训",
        "expert",
        6,
        "09:30",
        "11:30",
        "门诊楼 4 楼信息中心会议室",
        (("罗晓燕", "信息中心", "+8613880800202"), ("邓磊", "信息中心", "+8613981900303"), ("唐芳", "网络组", "")),
        ("HIS数据库备份恢复演练方案.txt",),
    ),
)


# Handover ---------------------------------------------------------------------------------------------------

HANDOVER_DOCUMENTS = {  # kind -> file name stem
    "engineering_plan": "工程实施方案",
    "technical_manual": "技术手册",
    "maintenance_manual": "维护手册",
    "project_summary": "项目总结报告",
    "acceptance_report": "初验报告",
    "service_agreement": "售后服务协议",
}
HANDED_OVER = "SZGA-VIDEO"  # every document, service started
IN_HANDOVER = "BJHD-CLOUD"  # two documents missing, service not started
MISSING = ("project_summary", "service_agreement")
HANDOVER_ACTOR = "archivist"
