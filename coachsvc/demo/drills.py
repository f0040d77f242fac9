"""Demo data of the drills: top performers with won (and lost) deals, and their calls WITH audio,
spoken at seed time by espeak-ng (`-v cmn`: poor Mandarin, but real audio a player can seek), so
every objection category has playable top-performer clips; then the clips are mined.

`build_call` is also what the tests use to make a call with known segment times.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from coachsvc.auth import hash_password
from coachsvc.db.models import (
    ActivityRecord,
    Customer,
    Deal,
    Objection,
    Team,
    TranscriptSegment,
    User,
    utcnow,
)

RATE = 16000
GAP_SECONDS = 0.35
#: espeak-ng voice settings per party: the rep a little lower and faster than the customer.
VOICES = {"rep": ["-v", "cmn", "-p", "35", "-s", "175"], "customer": ["-v", "cmn", "-p", "70", "-s", "165"]}

#: (category, the customer's objection, the top performer's answer in one or two segments)
Exchange = tuple[str, str, tuple[str, ...]]


@dataclass
class DemoCall:
    rep: str
    customer: str
    industry: str
    deal: str
    amount: float
    exchanges: tuple[Exchange, ...]


DEMO_CALLS: tuple[DemoCall, ...] = (
    DemoCall(
        "sunjie",
        "恒信精工",
        "制造",
        "恒信精工MES一期",
        680000.0,
        (
            (
                "budget",
                "今年的预算已经用完了。",
                (
                    "理解。想确认一下，明年的预算大概几月份开始报？",
                    "如果明年初能立项，今年先签约付一小部分首款，剩下的分期放到明年。",
                ),
            ),
            (
                "price",
                "你们比别家贵了两成。",
                (
                    "您对比的是哪一家？他们的报价包含实施和维护吗？",
                    "我们算一笔账，良品率提升两个点，一年省下的返工费就超过差价。",
                ),
            ),
            (
                "authority",
                "这个我做不了主，要上会。",
                (
                    "上会一般是哪几位领导参加，最后是总经理拍板吗？",
                    "我帮您准备一页纸的汇报材料，会后周五我再跟您确认结果。",
                ),
            ),
        ),
    ),
    DemoCall(
        "sunjie",
        "安达冷链",
        "物流",
        "安达冷链温控追溯",
        420000.0,
        (
            (
                "competitor",
                "我们已经在用别家的系统了。",
                (
                    "理解，他们起步早，基础功能不错。用下来有没有哪里不太顺手？",
                    "我们可以先挑一条线路并行跑一个月，用数据说话。",
                ),
            ),
            (
                "budget",
                "今年没预算了。",
                (
                    "明白。下一轮预算什么时候编？我们可以帮您准备申报材料。",
                    "项目可以分两期，今年只付首期的一小部分。",
                ),
            ),
            (
                "timing",
                "不着急，明年再说吧。",
                (
                    "推到明年主要是因为太忙，还是对方案还有顾虑？",
                    "要不先选一个仓试点，下周二我带人过去调研。",
                ),
            ),
        ),
    ),
    DemoCall(
        "sunjie",
        "康宁口腔",
        "医疗",
        "康宁口腔预约系统",
        260000.0,
        (
            (
                "trust",
                "没听说过你们公司。",
                (
                    "理解您的谨慎。我们做了八年，六百多家医疗机构在用。",
                    "本市有两家口腔连锁在用，可以约您去门店看看。",
                ),
            ),
            (
                "service",
                "系统出了问题谁负责？",
                (
                    "您会有专属客户经理和本地驻场工程师，一级故障十五分钟响应。",
                    "这些都写进合同的服务等级协议里。",
                ),
            ),
            (
                "terms",
                "预付款比例太高了。",
                ("您是担心现金流，还是担心交付？", "预付可以降到一成半，剩下的按上线和验收节点付。"),
            ),
        ),
    ),
    DemoCall(
        "sunjie",
        "开元优选",
        "零售",
        "开元优选补货系统",
        900000.0,
        (
            (
                "price",
                "再打个八折今天就签。",
                (
                    "除了价格，其他方面都没有顾虑了对吗？",
                    "八折做不到，如果签两年、首付一半，我可以去申请九折。",
                ),
            ),
            (
                "delivery",
                "三个月上线太慢了。",
                ("大促之前必须上线的是哪些功能？", "我们分两期，第一期六周先上订单和库存，保证大促能用。"),
            ),
            (
                "need",
                "我们现在用表格挺好的。",
                (
                    "现在每天大概要处理多少单？加单的时候怎么处理？",
                    "如果一个月漏几单，损失不小，我们可以只上排线这一个功能。",
                ),
            ),
        ),
    ),
    DemoCall(
        "zhoumin",
        "明德学院",
        "教育",
        "明德学院智慧教务",
        500000.0,
        (
            (
                "budget",
                "预算只有报价的一半。",
                (
                    "这个预算是今年一次性的吗？下一个预算周期是什么时候？",
                    "一期先做排课和学籍，控制在预算内，二期分期放到明年。",
                ),
            ),
            (
                "service",
                "上线后没人管怎么办？",
                ("上次主要是老师不会用，还是故障没人处理？", "上线后第一个月专人陪跑，工作日两小时内响应。"),
            ),
            (
                "authority",
                "要请示老板。",
                ("老板一般最关心哪几点，价格还是效果？", "要不约老板二十分钟，我当面讲，您也在场。"),
            ),
        ),
    ),
    DemoCall(
        "zhoumin",
        "华信证券",
        "金融",
        "华信证券运维平台",
        750000.0,
        (
            (
                "service",
                "半夜出故障找谁？",
                (
                    "我们七乘二十四小时支持，一级故障十五分钟响应、四小时恢复。",
                    "去年平均响应时间八分钟，报告可以给您。",
                ),
            ),
            (
                "competitor",
                "别家报价更低，功能还多。",
                ("这次选型您最看重哪几项？", "功能多不等于用得上，建议两家各拿一个真实场景现场演示。"),
            ),
            (
                "timing",
                "等组织调整完再说。",
                ("调整预计什么时候完成，会影响预算吗？", "调整期间我们先免费做个数据诊断，下个月出报告。"),
            ),
        ),
    ),
    DemoCall(
        "zhoumin",
        "鼎盛建工",
        "建筑",
        "鼎盛建工项目管理",
        380000.0,
        (
            (
                "terms",
                "账期必须九十天。",
                (
                    "九十天是从验收开始算吗？质保金能用保函代替吗？",
                    "账期我们配合，如果合同签三年，价格上我们可以保持不变。",
                ),
            ),
            (
                "trust",
                "有没有同行业的案例？",
                ("之前主要是哪里出了问题，系统还是实施？", "我们服务过三家总包企业，可以带您去项目现场看。"),
            ),
            (
                "need",
                "功能满足不了我们。",
                ("您说的满足不了，具体是哪些场景？", "这部分我们有开放接口，可以先拿一个项目做两周试用。"),
            ),
        ),
    ),
    DemoCall(
        "zhoumin",
        "海川物流",
        "物流",
        "海川物流调度系统",
        300000.0,
        (
            (
                "delivery",
                "听说你们实施很慢。",
                (
                    "谢谢您直说，那个项目确实延期过，当时客户中途加了很多需求。",
                    "我们配专职项目经理，每周发周报，合同写明交付时间。",
                ),
            ),
            (
                "price",
                "一个账号一年三千太贵了。",
                (
                    "您觉得贵是和预算比，还是和别的产品比？",
                    "一线用基础版，主管用高级版，总价能降下来，也可以先试用三个月。",
                ),
            ),
            (
                "terms",
                "预付款我们付不了。",
                ("财务对付款节奏有什么要求？", "可以按里程碑付款，每个阶段验收后再付对应的款项。"),
            ),
        ),
    ),
    DemoCall(
        "sunjie",
        "瑞丰食品",
        "餐饮",
        "瑞丰食品供应链",
        560000.0,
        (
            (
                "trust",
                "你们规模太小了。",
                (
                    "您最担心的是哪方面，数据安全还是长期服务？",
                    "数据归您所有，可以做源码托管，也可以先在一家门店试用一个月。",
                ),
            ),
            (
                "competitor",
                "我们跟现在的供应商合作好几年了。",
                (
                    "理解，合作多年说明他们服务不错。有没有一直想改进的地方？",
                    "有家连锁客户就是只在温控这块用我们补上，三周就切过来了。",
                ),
            ),
            (
                "need",
                "我们规模小，用不上。",
                ("现在一个调度排一次车要花多长时间？", "我们有适合小规模的轻量版，一周就能用起来。"),
            ),
        ),
    ),
    DemoCall(
        "zhoumin",
        "远航电商",
        "零售",
        "远航电商订单中台",
        820000.0,
        (
            (
                "delivery",
                "上线时间来不及。",
                (
                    "最晚哪一天必须完成压测？我们倒排一下计划。",
                    "核心链路先切，其他模块大促后再上，期间新旧系统并行。",
                ),
            ),
            (
                "timing",
                "先放一放，下个季度再看。",
                (
                    "下个季度主要是因为预算，还是内部还没统一意见？",
                    "晚一个季度，旺季前系统就用不上了，要不下周四先约半小时？",
                ),
            ),
            (
                "authority",
                "要上总经理办公会。",
                (
                    "会大概什么时候开？除了总经理，财务的意见重要吗？",
                    "会上能不能给我们十五分钟讲方案、答疑？",
                ),
            ),
        ),
    ),
)
#: Deals that are not won, so the win rates differ: (rep, customer, deal, outcome, amount).
DEMO_OTHER_DEALS = (
    ("sunjie", "恒信精工", "恒信精工仓储二期", "lost", 300000.0),
    ("zhoumin", "海川物流", "海川物流车队管理", "lost", 200000.0),
    ("xiaowang", "华东精密制造", "华东精密报表平台", "lost", 150000.0),
    ("xiaowang", "开元连锁", "开元连锁会员系统", "lost", 260000.0),
    ("xiaowang", "信达物流", "信达物流对账工具", "won", 90000.0),
    ("zhaoqiang", "安达冷链", "安达冷链仓储", "lost", 180000.0),
)
DEMO_TOP_REPS = (("sunjie", "孙杰", "华东一组"), ("zhoumin", "周敏", "华南二组"))


def seed_demo_drills(session: Session, password: str, upload_dir: str) -> int:
    """Top reps, deals and spoken won-deal calls, then mine them; returns the clips mined."""
    from coachsvc.mining import mine

    users = _ensure_top_reps(session, password)
    for call in DEMO_CALLS:
        deal = _deal(session, users[call.rep], call.customer, call.industry, call.deal, "won", call.amount)
        build_call(session, users[call.rep], deal, call.exchanges, upload_dir)
    for rep, customer, name, outcome, amount in DEMO_OTHER_DEALS:
        owner = users.get(rep) or session.scalar(select(User).where(User.username == rep))
        if owner is not None:
            _deal(session, owner, customer, None, name, outcome, amount)
    session.commit()
    return mine(session, top_n=2, by="win_rate").created


def build_call(
    session: Session,
    rep: User,
    deal: Deal | None,
    exchanges: tuple[Exchange, ...],
    upload_dir: str,
    visit_date: dt.date | None = None,
) -> ActivityRecord:
    """A processed audio call: spoken with espeak-ng, stored like an upload, with its segments
    (known times) and one objection per exchange; committed."""
    from coachsvc.ingest import UploadMeta, create_activity

    lines = [("rep", "您好，今天想跟您聊聊项目的进展。"), ("customer", "好的，你说吧。")]
    asked_at: list[tuple[int, str, str]] = []
    for category, objection, answer in exchanges:
        asked_at.append((len(lines), category, objection))
        lines.append(("customer", objection))
        lines += [("rep", a) for a in answer]
    lines.append(("rep", "好的，那我们下周再约时间细聊。"))
    audio, spans = speak_dialogue([text for _, text in lines], [party for party, _ in lines])
    meta = UploadMeta(
        customer=deal.customer.name if deal else None,
        deal_id=deal.id if deal else None,
        stage="negotiate",
        visit_date=visit_date or dt.date(2026, 11, 10),
    )
    record = create_activity(
        session, rep, f"call-{rep.username}-{deal.id if deal else 0}.wav", io.BytesIO(audio), meta
    )
    for idx, ((party, text), (start, end)) in enumerate(zip(lines, spans, strict=True)):
        speaker = "销售" if party == "rep" else "客户"
        session.add(
            TranscriptSegment(
                activity_id=record.id, idx=idx, speaker=speaker, party=party, start=start, end=end, text=text
            )
        )
    for idx, category, objection in asked_at:
        start, end = spans[idx]
        session.add(
            Objection(
                activity_id=record.id,
                category=category,
                text=objection,
                speaker="客户",
                start=start,
                end=end,
                handled=True,
                confidence=1.0,
                segment_idx=idx,
            )
        )
    record.status, record.progress, record.processed_at = "done", 1.0, utcnow()
    session.commit()
    return record


def speak_dialogue(texts: list[str], parties: list[str]) -> tuple[bytes, list[tuple[float, float]]]:
    """Speak each line with espeak-ng and join them with short pauses: (16 kHz mono WAV, spans)."""
    import numpy as np

    if shutil.which("espeak-ng") is None:
        raise RuntimeError("espeak-ng is not installed (Debian package espeak-ng)")
    pieces, spans, t = [], [], 0.0
    gap = np.zeros(int(GAP_SECONDS * RATE), dtype="<i2")
    for text, party in zip(texts, parties, strict=True):
        samples = _espeak(text, VOICES[party])
        spans.append((round(t, 3), round(t + len(samples) / RATE, 3)))
        pieces += [samples, gap]
        t += (len(samples) + len(gap)) / RATE
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(np.concatenate(pieces).tobytes())
    return buf.getvalue(), spans


def _espeak(text: str, voice: list[str]):
    import numpy as np

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "line.wav"
        subprocess.run(
            ["espeak-ng", *voice, "-w", str(out), text], check=True, capture_output=True, timeout=60
        )
        with wave.open(str(out), "rb") as w:
            rate, data = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    if rate != RATE:  # espeak-ng speaks at 22050 Hz: resample linearly to 16 kHz
        positions = np.arange(0, len(data), rate / RATE)
        data = np.interp(positions, np.arange(len(data)), data.astype(np.float32)).astype("<i2")
    return data


def _ensure_top_reps(session: Session, password: str) -> dict[str, User]:
    users = {}
    for username, display, team_name in DEMO_TOP_REPS:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            team = session.scalar(select(Team).where(Team.name == team_name)) or Team(name=team_name)
            user = User(
                username=username,
                display_name=display,
                role="rep",
                team=team,
                password_hash=hash_password(password),
            )
            session.add(user)
        users[username] = user
    session.flush()
    return users


def _deal(
    session: Session, owner: User, customer: str, industry: str | None, name: str, outcome: str, amount: float
) -> Deal:
    cust = session.scalar(select(Customer).where(Customer.name == customer))
    if cust is None:
        cust = Customer(name=customer, industry=industry)
        session.add(cust)
    deal = Deal(
        customer=cust,
        owner=owner,
        name=name,
        stage="close",
        outcome=outcome,
        amount=amount,
        closed_at=dt.date(2026, 11, 15) if outcome != "open" else None,
    )
    session.add(deal)
    session.flush()
    return deal
