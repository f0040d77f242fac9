"""The labelled training corpus: templates with slots over many industries and phrasings, the
hand-written examples in `models/corpus/handwritten.tsv`, and ASR-like noise (homophones, lost
punctuation, fillers). `write_corpus` regenerates `models/corpus/generated.jsonl` deterministically.

Labels: task `objection` (a category of shared/domain.md or `none`), task `role` (a role or `none`,
the clause names a person), task `next_step` (`next_step` or `none`).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter
from pathlib import Path
from typing import Any

SEED = 20261118
NOISY_COPIES = 0.45  # share of generated sentences that also get an ASR-noised copy

SLOTS: dict[str, list[str]] = {
    "prod": [
        "系统",
        "平台",
        "软件",
        "方案",
        "产品",
        "设备",
        "这套东西",
        "你们这个",
        "SaaS服务",
        "解决方案",
        "模块",
    ],
    "comp": [
        "金蝶",
        "用友",
        "SAP",
        "钉钉",
        "别家",
        "友商",
        "另一家供应商",
        "之前那家",
        "华为云",
        "浪潮",
        "鼎捷",
        "飞书",
        "纷享销客",
        "销售易",
        "隔壁那家",
    ],
    "pct": [
        "百分之二十",
        "20%",
        "两成",
        "三成",
        "百分之三十",
        "一倍",
        "百分之十五",
        "快一半",
        "好几万",
        "十几万",
    ],
    "amt": ["五十万", "三十万", "二十来万", "一百多万", "八万", "十五万", "六十万", "两百万"],
    "period": ["三个月", "半年", "两个月", "九十天", "四个月", "一个季度", "八周", "五个月"],
    "boss": ["王总", "老板", "李总", "我们领导", "张董", "总经理", "陈总", "上面", "集团", "董事会"],
    "said": [
        "我们老板说",
        "财务那边说",
        "技术部张工觉得",
        "我们领导的意思是",
        "采购反馈说",
        "同事们都说",
        "刘经理跟我讲",
        "我们王总觉得",
        "上面的意思是",
        "IT那边说",
    ],
    "pre": [
        "",
        "",
        "",
        "",
        "说实话，",
        "坦白讲，",
        "嗯，",
        "那个，",
        "不过",
        "但是",
        "可是",
        "老实说，",
        "其实",
        "主要是",
        "还有就是",
        "另外",
        "而且",
        "问题是",
        "我们这边",
        "这个嘛，",
        "怎么说呢，",
    ],
    "post": [
        "",
        "",
        "",
        "。",
        "。",
        "啊",
        "吧",
        "呀",
        "，这个比较难办",
        "，你们怎么看",
        "，说实话",
        "，这是实际情况",
        "，我们也很为难",
    ],
    "topic": [
        "审批",
        "库存",
        "排产",
        "报销",
        "客户管理",
        "订单",
        "仓储",
        "质检",
        "考勤",
        "招投标",
        "设备巡检",
        "财务对账",
        "门店管理",
        "物流跟踪",
    ],
    "ind": [
        "工厂",
        "医院",
        "学校",
        "门店",
        "仓库",
        "律所",
        "物流公司",
        "连锁店",
        "车间",
        "银行网点",
        "药企",
        "设计院",
    ],
}

OBJECTIONS: dict[str, list[str]] = {
    "price": [
        "太贵了",
        "你们这个价格太高了",
        "价格比{comp}贵了{pct}",
        "能不能再便宜点",
        "这个报价超出我们的预期了",
        "折扣能不能再大一点",
        "价格上还有没有空间",
        "这个价位我们接受不了",
        "一年{amt}，有点贵",
        "你们的单价偏高",
        "价格这块我们很难说服老板",
        "这个价钱我们觉得不值",
        "你们的报价有点离谱了",
        "比我们预想的贵了{pct}",
        "按用户数收费太贵了",
        "实施费收得太高了",
        "再打个折吧",
        "能不能给个优惠价",
        "这个价格我们没法报上去",
        "你们这价格也太狠了",
        "每年的服务费太贵",
        "license费用太高了",
        "报价里的硬件部分贵得离谱",
        "能不能把价格降到{amt}以内",
        "性价比不高啊",
        "贵是真的贵",
        "成本太高了",
        "这个投入太大了",
        "包年收费对我们来说不合算",
        "投资回收期太长了",
        "算下来不划算",
        "花这么多钱不值当",
        "一套下来要{amt}，太多了",
        "那样算下来开销太大",
        "光服务器就得{amt}，太贵",
        "性价比太低",
        "这钱花得不值",
        "一年的服务费比软件还贵",
        "回本要三年，太慢了",
        "比别家高出一大截",
        "比同行贵不少",
        "你们比{comp}贵",
        "跟{comp}比你们贵了{pct}",
        "在几家里面你们是最贵的",
        "价格方面我们压力很大",
        "这个费用比我们现在用的贵太多了",
        "{said}你们太贵了",
        "{said}价格没竞争力",
        "你们定价有点虚高",
        "价格再降一点吧",
        "收费标准太高",
        "一口价{amt}我们吃不消",
        "你们的价格不太友好",
        "除了价格，其他都挺满意",
    ],
    "budget": [
        "今年没预算了",
        "预算已经用完了",
        "钱不够",
        "我们的预算只有{amt}",
        "今年的预算早就批完了",
        "这块没有单独的预算",
        "预算卡得很紧",
        "资金比较紧张",
        "今年经营不好，预算都砍了",
        "没有这笔钱",
        "预算要等明年才有",
        "预算批不下来",
        "这个项目没列进今年的预算",
        "我们预算远远不够",
        "{said}今年不给批预算",
        "手头没那么多钱",
        "现在现金流比较紧",
        "预算被集团冻结了",
        "这个钱我们拿不出来",
        "部门预算就这么多",
        "经费有限",
        "今年的IT预算已经花光了",
        "预算审批很难过",
        "财务说今年没有额度了",
        "今年只有{amt}的预算",
        "没有立项，也就没有预算",
        "我们得先申请预算",
        "预算超了",
        "这笔支出不在计划里",
    ],
    "competitor": [
        "我们已经在用{comp}了",
        "{comp}的功能比你们多",
        "{comp}也来找过我们，条件更好",
        "我们跟{comp}合作很多年了",
        "{comp}报的方案更完整",
        "现在用的{comp}挺顺手的",
        "{comp}有现成的行业模板",
        "你们跟{comp}比有什么优势，我看差不多",
        "{comp}承诺的比你们多",
        "{comp}那边已经在做测试了",
        "我们更倾向{comp}",
        "{comp}在我们行业做得更多",
        "{comp}免费送实施",
        "{comp}的界面更好用",
        "{said}{comp}更成熟",
        "别家给的条件比你们好",
        "另外两家的方案我们也在看",
        "{comp}已经给我们做过演示了",
        "我们同时在对比三家",
        "{comp}的品牌更大",
        "换掉{comp}的成本太高",
        "{comp}的产品我们用惯了",
        "隔壁厂用的是{comp}，反馈不错",
        "{comp}愿意先免费试用半年",
        "{comp}报价比你们低{pct}",
        "别家的报价更低",
        "有家厂商开价比你们少一截",
        "同样的功能{comp}便宜{pct}",
        "我们现在用的是{comp}，挺好用的",
        "现在{topic}是用{comp}管的，挺方便",
        "{comp}说在我们原有系统上扩展就行，不用另买",
        "{comp}是我们的老供应商了，合作一直挺愉快",
        "{comp}送了我们一年的服务",
    ],
    "timing": [
        "现在不着急",
        "明年再说吧",
        "等下个季度再看",
        "先放一放",
        "目前不是时候",
        "年后再考虑",
        "等我们搬完新厂区再说",
        "这事不急",
        "我们现在忙着上市，顾不上",
        "等明年规划出来再说",
        "今年就先不动了",
        "过段时间再联系吧",
        "暂时不考虑",
        "现在优先级不高",
        "等新领导到任再说",
        "我们还在观望",
        "这个项目往后排了",
        "等旺季过了再说",
        "现在还早",
        "我们内部在调整，先缓缓",
        "等下半年再启动",
        "公司可能要被收购，现在不敢动",
        "办公楼明年到期，现在上没意义",
        "正在重组，新项目都停了",
        "市场不景气，先观望一阵",
        "财年快结束了，等新财年再议",
        "{said}先不急着上",
        "这两年都不打算换",
        "等老系统合同到期再说",
        "时机还不成熟",
        "先把手头的项目做完再说",
    ],
    "authority": [
        "我做不了主",
        "这个要请示老板",
        "要上会讨论",
        "我得等{boss}拍板",
        "我说了不算",
        "我得跟{boss}汇报一下",
        "这个要集团审批",
        "我只能帮你们递上去",
        "要经过董事会",
        "我没有这个权限",
        "要走决策流程",
        "这事我一个人决定不了",
        "得几个部门一起评审",
        "要等{boss}回来再定",
        "需要总部批准",
        "我回去跟领导商量一下",
        "超过{amt}就要集团批",
        "我这边只负责收集方案",
        "得上报审批",
        "要开评审会才能定",
        "我得先问问{boss}的意见",
        "这个不是我能决定的",
    ],
    "trust": [
        "没听说过你们公司",
        "有没有同行案例",
        "你们公司规模太小了",
        "你们成立才几年",
        "怕你们做不长",
        "有没有在{ind}落地过",
        "你们的资质够吗",
        "能不能给几个客户参考",
        "你们有没有大客户",
        "担心你们的稳定性",
        "你们的产品成熟吗",
        "数据放你们那安全吗",
        "你们靠谱吗",
        "之前被类似的公司坑过",
        "你们有相关认证吗",
        "你们团队有多少人",
        "怕你们公司倒了没人管",
        "你们在{ind}有没有成功案例",
        "{said}没怎么听过你们",
        "资料放在你们那我们不放心",
        "客户信息按规定只能存在本地机房",
        "担心你们公司能不能一直做下去",
        "怕你们哪天不做了我们就被动了",
        "你们公司能撑多久我们心里没数",
        "听别人说你们的系统在低温下不稳定",
        "你们的顾问水平参差不齐",
        "你们出的电子凭证有法律效力吗",
        "担心你们的系统不稳定",
        "听同行说你们的硬件返修率高",
        "你们的服务质量时好时坏",
        "上回你们派来的顾问不太专业",
        "怕效果达不到你们说的那样",
        "你们的系统安全吗，会不会泄露",
        "有没有等保认证",
        "我们集团对供应商资质要求很高，你们够不上",
        "你们的财务状况怎么样",
        "有没有上市公司在用",
        "你们说的效果有数据支撑吗",
        "我不太相信能有这么好的效果",
        "口说无凭啊",
    ],
    "need": [
        "我们用不上",
        "功能不满足我们的需求",
        "我们现在的方式挺好",
        "这些功能我们大部分用不到",
        "我们规模小，不需要这么复杂的",
        "用表格就够了",
        "我们的{topic}流程很特殊，你们这个套不上",
        "没这个需求",
        "我们现在没有痛点",
        "这个对我们帮助不大",
        "{said}现在的办法够用了",
        "我们更需要的是{topic}，你们没有",
        "你们的系统太重了",
        "缺少我们要的{topic}功能",
        "员工不会用这么复杂的东西",
        "我们没必要上系统",
        "跟我们的业务不匹配",
        "你们这个是给大企业用的",
        "手工做挺好的",
        "不支持我们的多工厂模式",
        "和我们的场景不太贴",
        "你们没有移动端，我们用不了",
        "和我们用的MES接不起来",
        "你们只支持云端，我们要内网部署",
        "车间工人文化程度不高，操作不来",
        "顾客习惯付现金，不爱扫码",
        "省下那点钱还不够折腾的",
        "再说我们这边的员工大多没用过电脑",
        "再说我们店面都很小，用不上这么多功能",
        "我们现在靠外包做，挺省心的",
        "你们只能对接标准接口，我们的系统是老的",
        "系统响应太慢，一个页面要等好久",
        "页面加载太慢，用着难受",
        "我们的经销商都在乡镇，网络都不好",
        "我们规模小，高级分析用不到",
        "我们要的定制你们做不了",
    ],
    "delivery": [
        "上线太慢了",
        "{period}太久了",
        "交付时间来不及",
        "我们月底就要用",
        "实施周期太长",
        "能不能提前交付",
        "等不了{period}",
        "你们说要{period}才能上线，太慢",
        "我们年底前必须上线",
        "部署要这么久吗",
        "排期太靠后了",
        "交货期太长",
        "设备到货要{period}，等不起",
        "实施要{period}，业务等不了",
        "上线时间赶不上我们的旺季",
        "交付进度我们很担心",
        "你们的工期能不能压缩",
        "开发周期太长了",
        "我们下个月就要投产",
        "你们的人下个月才能来，太迟了",
        "排到明年二月才开工，晚了",
        "发货要六周，我们最多等二十天",
        "等你们的硬件到了黄花菜都凉了",
        "你们排期排到明年了，太晚",
        "上线时间比我们计划晚了一个月",
        "交付太慢会影响我们的项目",
        "{said}{period}太久",
        "上次别家拖了好久才交付，我们怕了",
    ],
    "service": [
        "出了问题谁负责",
        "响应速度怎么样",
        "售后跟得上吗",
        "实施支持有没有",
        "坏了多久能修好",
        "你们在本地有服务团队吗",
        "售后服务怎么保障",
        "之前的供应商售后很差",
        "出故障半天没人理可不行",
        "培训怎么做",
        "有没有驻场支持",
        "系统升级收不收费",
        "半夜出问题找谁",
        "售后响应太慢我们受不了",
        "报修以后一个礼拜才来人",
        "出了故障你们互相踢皮球",
        "过了保修期坏了怎么算",
        "二次开发以后升级谁来管",
        "客服电话老打不通",
        "你们的客服能及时响应吗",
        "运维要我们自己做吗",
        "维保期多长",
        "{said}你们售后不行",
        "担心后期没人维护",
        "出了问题能不能两小时内到现场",
        "数据迁移谁来做",
        "上线后有没有人带",
        "服务网点太少了",
    ],
    "terms": [
        "账期太短了",
        "预付款比例太高",
        "违约条款太苛刻",
        "能不能分期付款",
        "我们一般是账期九十天",
        "要先付百分之五十太多了",
        "付款方式得改一下",
        "合同里的违约金太高",
        "验收后再付款可以吗",
        "尾款比例能不能提高",
        "我们要求先试用再付款",
        "质保金要留百分之十",
        "合同条款我们法务不同意",
        "能不能按季度付",
        "全款预付不可能",
        "发票和付款节点要改",
        "自动续约这条我们不接受",
        "知识产权条款有问题",
        "赔偿上限太低了",
        "数据归属这条要写清楚，现在太模糊",
        "延期交付的罚则太轻了",
        "最低采购量定得太高，我们做不到",
        "尾款要等验收合格才能付",
        "全款先付我们公司不允许",
        "一年至少要买{amt}，这个承诺我们给不了",
        "保底采购量太高了",
        "合同里的排他条款我们不能签",
        "自动续费这一条要删掉",
        "账期三十天太短了",
        "付款周期能不能拉长",
        "{said}合同条款太霸道",
        "首付款能不能降到三成",
        "必须月结",
        "年付我们不接受，要按月",
    ],
}

EN_OBJECTIONS: dict[str, list[str]] = {
    "price": [
        "it's too expensive",
        "your price is way higher than we expected",
        "can you do a better discount",
        "that's about 20% more than {ecomp}",
        "the license fee is too high",
        "we can't justify that price",
        "is there any room on price",
        "honestly the pricing is steep",
        "my boss thinks it's overpriced",
        "the per-seat cost is a problem",
        "could you bring the price down",
    ],
    "budget": [
        "we don't have budget this year",
        "our budget is already spent",
        "we just don't have the money",
        "the budget got cut",
        "there's no budget allocated for this",
        "finance froze all new spending",
        "we only have about 30k left",
        "budget won't be approved until next year",
    ],
    "competitor": [
        "we're already using {ecomp}",
        "{ecomp} offers more features",
        "{ecomp} quoted us a lower price",
        "we're also talking to {ecomp}",
        "we've been with {ecomp} for years",
        "{ecomp} is giving us a free pilot",
        "we're leaning towards {ecomp}",
    ],
    "timing": [
        "we're in the middle of an acquisition, nothing new gets approved",
        "we're restructuring, so everything is on hold",
        "it's not a priority right now",
        "let's revisit next quarter",
        "we're not in a hurry",
        "maybe next year",
        "now is not a good time",
        "let's put this on hold for now",
        "we need to wait until the reorg is done",
    ],
    "authority": [
        "I can't make this decision",
        "I need to check with my boss",
        "this has to go to the board",
        "I'm not the one who decides",
        "I'd have to run it by our CFO",
        "it needs committee approval",
        "that's above my pay grade",
    ],
    "trust": [
        "I've never heard of your company",
        "do you have any customers in our industry",
        "you're a pretty small company",
        "how do we know you'll be around in three years",
        "can you share some references",
        "is our data safe with you",
        "do you have any certifications",
    ],
    "need": [
        "we don't really need this",
        "our spreadsheets work fine",
        "it doesn't have the features we need",
        "it's overkill for a team our size",
        "we don't have that problem",
        "it doesn't fit our workflow",
        "our current process works well enough",
    ],
    "delivery": [
        "three months is too long",
        "we need it live by the end of the month",
        "the implementation timeline is too slow",
        "we can't wait that long",
        "the lead time is a problem",
        "can you deliver any faster",
    ],
    "service": [
        "who do we call when something breaks",
        "what's your support response time",
        "our last vendor's support was terrible",
        "do you provide onsite support",
        "who handles the training",
        "what happens if the system goes down at night",
    ],
    "terms": [
        "the auto-renewal clause has to go",
        "we can't sign with that exclusivity clause",
        "net 30 is too short for us",
        "the upfront payment is too high",
        "the penalty clause is too harsh",
        "can we pay in installments",
        "we need net 90 payment terms",
        "we can't accept auto-renewal",
        "the liability cap is too low",
    ],
}

# Clauses with objection words that raise no objection: negations, hypotheticals, inquiries,
# agreement, and everything else a customer says.
NONE_ZH = [
    "价格倒不是问题",
    "价格不是问题",
    "钱不是问题",
    "预算这块没问题，已经批了",
    "预算是够的",
    "价格我们能接受",
    "价格还算合理",
    "贵一点也没关系",
    "就算贵一点，只要好用就行",
    "费用方面不用担心",
    "交付时间你们定就行",
    "{period}上线完全来得及",
    "售后你们做得挺好的",
    "合同条款我们法务看过了，没问题",
    "我们不太在乎价格",
    "价格方面好说",
    "预算不是问题，关键看效果",
    "时间上不着急也不要紧",
    "如果价格合适的话，我们可以考虑",
    "如果预算批下来了，我们就上",
    "假如明年有预算，肯定优先考虑你们",
    "要是交付能再快点就更好了",
    "假设我们扩到三个{ind}，价格怎么算",
    "你们的价格是怎么算的",
    "报价大概是多少",
    "交付一般要多久",
    "售后是怎么收费的",
    "付款方式有哪些",
    "你们跟{comp}有什么区别",
    "有没有试用版本",
    "能不能发一份报价单过来",
    "我们现在主要靠表格和邮件",
    "人一多就很乱",
    "经常找不到单子",
    "我们每个月盘点都要加班",
    "{topic}这块现在最头疼",
    "一般要经过三个人审批",
    "我们大概有两百个员工",
    "现在用的是自己开发的系统",
    "听起来不错",
    "这个功能挺好的",
    "可以，就这么定",
    "好的，没问题",
    "行，你们先发过来看看",
    "下周二下午吧",
    "我这周都在",
    "明天上午我有空",
    "你们的演示做得不错",
    "这个思路挺好",
    "我们老板也挺感兴趣的",
    "我们确实需要提升效率",
    "没有",
    "没有没有",
    "不是",
    "还好",
    "也没有",
    "不会",
    "暂时没有",
    "对",
    "嗯对",
    "是啊",
    "那倒是",
    "差不多",
    "还行吧",
    "那当然",
    "对，就是这个问题",
    "现在仓库的账和实物对不齐",
    "目前送货单都是手写的",
    "现在主要靠电话接单",
    "我们的流程是先报计划再审批",
    "那次损失挺大",
    "坦白说",
    "先跟你说清楚",
    "我们开会讨论过了",
    "有印象",
    "已经排进计划了",
    "我先表个态",
    "他的原话我记不清了",
    "小王还提了一句",
    "他是管钱的",
    "按月付没问题",
    "这条加到合同里",
    "你们的软件我们用了一年",
    "总体上还行",
    "不良率大概百分之二",
    "我们有八十个工位",
    "最麻烦的是排班",
    "加班费还得手算",
    "能扛住一万人同时在线吗",
    "实施顾问要单独算钱吗",
    "私有化部署大概什么价",
    "你们的传感器多少钱一个",
    "你们的报表更丰富",
    "价格我还没细看",
    "听起来挺有意思",
    "别的都还行",
    "打九折还差不多",
    "八十万差不多",
    "四十天也可以",
    "两年可以谈",
    "这个可以研究",
    "现在是纸面填写",
    "前年出过一次质量事故",
    "是的",
    "嗯嗯",
    "好的好的",
    "你说得对",
    "这个我不太清楚，要问一下刘经理",
    "我们主要是做{ind}的",
    "我们去年上了一套ERP",
    "库存差异大概百分之三",
    "客户下单了才发现没货",
    "{said}这个方向是对的",
    "你们的案例挺有说服力",
    "我们之前用过{comp}，后来换掉了",
    "数据安全这块你们考虑得很周全",
    "价格我们回去再研究一下",
    "你先把方案发过来吧",
    "我们下周内部开个会",
    "行，那就下周二约刘经理一起聊",
    "这个我可以跟老板汇报一下",
    "你们的报价单我收到了",
    "我们的预算大概在{amt}左右",
    "预算的话今年有专门的数字化预算",
    "我们计划年底前上线",
    "最好下个月能启动",
    "刘经理负责采购这块",
    "最后还是得张总拍板",
    "财务总监也会参与",
    "最后是{boss}拍板",
    "一般是{boss}来定",
    "决定权在{boss}那里",
    "{boss}最后签字",
    "流程是先部门评审再{boss}审批",
    "技术部张工会看接口",
    "一线同事天天要用",
    "你们可以先出个方案",
    "没有别的问题了",
    "价格问题不大",
    "交付周期倒是还好",
    "我们不担心售后",
    "竞品我们没怎么看",
    "别家我们没接触过",
    "资质我们查过了，没问题",
    "你们的案例我们都看过了",
    "这个需求很明确",
    "如果你们能按时交付，我们没意见",
    "万一以后扩容，你们支持吗",
    "价格方面你们可以再报一次",
    "那就先这样",
    "谢谢你们跑一趟",
    "辛苦了",
    "我们这个行业竞争很激烈",
    "今年业务增长挺快",
    "人手一直不够",
    "我们的订单量每年涨三成",
    "上次你们发的资料我看了",
    "可以先试用一下吗",
    "要是价格再合适一点就完美了",
    "我不是说你们贵",
    "也不是说没预算",
    "倒不是不信任你们",
    "不是时间的问题",
]
NONE_EN = [
    "price isn't really the issue",
    "budget is not a problem for us",
    "the pricing seems fair",
    "we're fine with the timeline",
    "your support looks solid",
    "if the price works we'd move forward",
    "what does the pricing look like",
    "how long does implementation usually take",
    "can you send over a quote",
    "sounds good",
    "that makes sense",
    "we currently track everything in spreadsheets",
    "we have about 200 people on the floor",
    "Tuesday afternoon works for me",
    "let's do that",
    "our biggest headache is inventory accuracy",
    "we approved the budget last month",
    "thanks for coming in today",
    "yes exactly",
    "the demo was really helpful",
    "we looked at your case studies",
    "I'll loop in our IT team",
    "how does it compare to other tools",
    "who else in our industry uses it",
    "we're growing about 30 percent a year",
    "cost is not the main concern",
    "timing isn't an issue",
    "I'm not worried about support",
]

ROLE_TEMPLATES: dict[str, list[str]] = {
    "decision_maker": [
        "最后还是得{P}拍板",
        "{P}说了算",
        "这事最终{P}来定",
        "{P}点头才行",
        "决定权在{P}手里",
        "签字的是{P}",
        "最后要{P}批",
        "{P}是最终拍板的人",
        "我们这边{P}做决定",
        "{P}定了就定了",
        "大主意还是{P}拿",
        "得{P}签字才算数",
    ],
    "influencer": [
        "{P}的意见很重要",
        "{P}说话很有分量",
        "{P}的建议老板一般都会听",
        "{P}对这个项目影响很大",
        "老板很看重{P}的看法",
        "{P}推荐的方案通过率很高",
        "{P}如果觉得好，基本就成了",
        "{P}在里面能说上话",
        "{P}的态度很关键",
    ],
    "user": [
        "{P}天天要用",
        "以后主要是{P}在用",
        "{P}每天都要录单",
        "用的人主要是{P}",
        "{P}是一线操作的",
        "{P}用起来顺手最重要",
        "上线后{P}直接操作",
        "{P}每天在系统里处理订单",
    ],
    "technical_evaluator": [
        "{P}要评估接口",
        "{P}会看技术方案",
        "技术上{P}把关",
        "{P}要先做测试",
        "{P}负责技术选型",
        "{P}会审核安全方案",
        "接口对接得{P}确认",
        "{P}要看一下你们的架构",
        "{P}会做POC测试",
        "{P}评估兼容性",
    ],
    "procurement": [
        "{P}负责比价",
        "{P}走采购流程",
        "{P}会组织招标",
        "采购这块是{P}在管",
        "{P}要压价的",
        "{P}负责供应商准入",
        "{P}会跟你们谈商务",
        "{P}负责询价",
        "合同流程由{P}来走",
    ],
    "finance": [
        "{P}要审预算",
        "{P}管账期",
        "付款要{P}审批",
        "{P}会看投资回报",
        "{P}卡预算很严",
        "预算得过{P}那关",
        "{P}负责付款",
        "{P}要算成本",
    ],
    "coach": [
        "{P}私下提醒我们竞品的报价",
        "{P}偷偷跟我说了他们内部的想法",
        "{P}给我们透了个底",
        "{P}一直在帮我们说话",
        "{P}私下说老板其实挺认可我们",
        "{P}告诉我评标的重点",
        "{P}站在我们这边",
        "{P}悄悄透露了预算数字",
    ],
    "none": [
        "{P}今天出差了",
        "{P}也在群里",
        "我之前见过{P}",
        "{P}人挺好的",
        "{P}上周刚入职",
        "{P}在开会",
        "{P}让我转告您一声",
        "{P}对接过很多供应商",
        "{P}也参加了上次的演示",
        "这是{P}的电话",
        "{P}下午才回来",
        "{P}挺忙的",
    ],
}
PERSONS = [
    "王总",
    "张工",
    "刘经理",
    "采购部的刘经理",
    "老刘",
    "李总",
    "技术部张工",
    "财务总监",
    "我们老板",
    "赵经理",
    "孙工",
    "陈总监",
    "周主任",
    "IT部门的吴经理",
    "黄经理",
    "老王",
    "小李",
    "厂长",
    "杨总",
    "郑工",
    "何经理",
    "财务部",
    "采购部",
    "一线同事",
    "车间的操作员",
    "林总",
]
EN_ROLE_TEMPLATES: dict[str, list[str]] = {
    "decision_maker": [
        "{E} makes the final call",
        "{E} signs off on it",
        "ultimately it's {E}'s decision",
        "{E} has the final say",
    ],
    "influencer": [
        "{E}'s opinion carries a lot of weight",
        "{E} has a big influence on this",
        "the boss usually listens to {E}",
    ],
    "user": ["{E} will use it every day", "{E} are the ones using the system daily"],
    "technical_evaluator": [
        "{E} needs to evaluate the API",
        "{E} will review the security setup",
        "{E} is running the technical evaluation",
    ],
    "procurement": [
        "{E} handles the vendor comparison",
        "{E} runs the procurement process",
        "{E} will negotiate the contract terms",
    ],
    "finance": ["{E} needs to approve the budget", "{E} reviews the payment terms", "{E} looks at the ROI"],
    "coach": [
        "{E} quietly told us the competitor's price",
        "{E} is on our side internally",
        "{E} gave us a heads-up about the evaluation",
    ],
    "none": ["{E} is out this week", "{E} joined the call late", "I met {E} last year"],
}
EN_PERSONS = [
    "Mike",
    "Sarah",
    "our CFO",
    "the CTO",
    "David from procurement",
    "Lisa",
    "our IT director",
    "my boss",
    "the floor staff",
    "Tom",
]

NEXT_STEP_ZH = [
    "我明天把报价单发给您",
    "我周一之前把方案发过来",
    "你们{D}把方案发过来",
    "那我们{D}约刘经理一起对比一下方案",
    "我{D}安排一次演示",
    "我回去整理一下需求，{D}给您回复",
    "您这边{D}帮忙确认一下人数",
    "我们{D}上会讨论一下",
    "我{D}把合同草稿发给法务",
    "{D}我带技术过来现场看看",
    "张工{D}会把接口文档发给你们",
    "我{D}跟老板汇报，然后给你答复",
    "我{D}之前把投资回报测算做出来",
    "那就{D}签合同",
    "{D}我们安排试用账号",
    "你们{D}之前把资质材料发一下",
    "我这边{D}走一下采购流程",
    "{D}我把案例资料整理好发给您",
    "我们{D}过来做个调研",
    "那我{D}再给您打电话",
    "麻烦您{D}把需求清单发我",
    "我{D}把分期付款方案发给财务",
    "{D}我们再碰一下细节",
    "我来约一下你们的IT，{D}做个对接",
    "我们{D}先做个POC",
]
NEXT_STEP_DATES = [
    "明天",
    "后天",
    "下周三之前",
    "周五",
    "本周五",
    "月底",
    "下个月初",
    "11月30号",
    "两天内",
    "下周二",
    "周一之前",
    "三个工作日内",
    "这周四",
    "",
]
NEXT_STEP_NONE_ZH = [
    "我们的系统可以自动流转审批",
    "上次你们发的方案我们看了",
    "我们明年再说",
    "你们的演示做得不错",
    "我们已经发过邮件了",
    "之前的报价单收到了",
    "系统超过二十四小时没处理会提醒",
    "我们在宁波有个同行客户",
    "这个功能下个版本会有",
    "我们一般三个月交付",
    "价格太贵了",
    "他们上周已经测试过了",
    "去年我们也做过类似的项目",
    "我们支持分期付款",
    "这个接口是标准的",
    "我觉得挺好的",
    "刘经理负责采购",
    "之前我们跟金蝶对接过",
    "年底我们比较忙",
    "我们每个月都会盘点",
    "明天我在外地出差",
    "这个我不太清楚",
    "我们有专属客户成功经理",
    "工作日两小时内响应",
]
NEXT_STEP_EN = [
    "I'll send the quote {ED}",
    "let's set up a demo {ED}",
    "can you send me the security docs {ED}",
    "we'll review it internally {ED}",
    "I'll loop in our CFO and get back to you {ED}",
    "let's schedule a call with Mike {ED}",
    "I'll draft the proposal {ED}",
]
NEXT_STEP_EN_DATES = [
    "tomorrow",
    "by Friday",
    "next Tuesday",
    "by the end of the month",
    "within two days",
    "by next Friday",
    "",
]
NEXT_STEP_NONE_EN = [
    "we already sent the contract last week",
    "the system sends reminders automatically",
    "we had a demo last year",
    "our support team responds within two hours",
    "the integration is standard",
    "that sounds great",
]


def generate(rng: random.Random | None = None) -> list[dict[str, Any]]:
    """All generated examples (deterministic)."""
    rng = rng or random.Random(SEED)
    out: list[dict[str, Any]] = []
    for cat, phrases in OBJECTIONS.items():
        for phrase in phrases:
            for _ in range(4):
                out.append(_ex("objection", "zh", cat, _wrap(rng, _fill(rng, phrase))))
    for phrase in NONE_ZH:
        for _ in range(3):
            out.append(_ex("objection", "zh", "none", _wrap(rng, _fill(rng, phrase), objection=False)))
    for cat, phrases in EN_OBJECTIONS.items():
        for phrase in phrases:
            for prefix in rng.sample(["", "honestly, ", "but ", "well, ", "the thing is ", "also "], 2):
                out.append(_ex("objection", "en", cat, prefix + _fill_en(rng, phrase)))
    for phrase in NONE_EN:
        out.append(_ex("objection", "en", "none", phrase))
        out.append(_ex("objection", "en", "none", "well, " + phrase))
    out += generate_none(rng)
    out += combine_clauses(rng, out)
    out += _role_examples(rng) + _next_step_examples(rng)
    out += [_noisy(rng, e) for e in out if e["lang"] == "zh" and rng.random() < NOISY_COPIES]
    return out


def _ex(task: str, lang: str, label: str, text: str, source: str = "template") -> dict[str, Any]:
    return {"task": task, "lang": lang, "label": label, "text": text, "source": source}


def _fill(rng: random.Random, phrase: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: rng.choice(SLOTS[m.group(1)]), phrase)


def _fill_en(rng: random.Random, phrase: str) -> str:
    return phrase.replace(
        "{ecomp}", rng.choice(["Salesforce", "HubSpot", "Oracle", "the other vendor", "SAP", "Zoho"])
    )


def _wrap(rng: random.Random, phrase: str, objection: bool = True) -> str:
    pre = rng.choice(SLOTS["pre"])
    post = rng.choice(SLOTS["post"]) if objection else rng.choice(["", "", "。", "吧", "啊"])
    return f"{pre}{phrase}{post}"


def _role_examples(rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for role, templates in ROLE_TEMPLATES.items():
        for t in templates:
            for person in rng.sample(PERSONS, 4):
                out.append(_ex("role", "zh", role, _wrap(rng, t.replace("{P}", person), objection=False)))
    for role, templates in EN_ROLE_TEMPLATES.items():
        for t in templates:
            for person in rng.sample(EN_PERSONS, 3):
                out.append(_ex("role", "en", role, t.replace("{E}", person)))
    return out


STEP_SUBJECTS = [
    "我",
    "我们",
    "我这边",
    "那我",
    "好的，我",
    "行，那我们",
    "你们",
    "您这边",
    "麻烦您",
    "张工",
    "刘经理",
    "我们技术",
    "回头我",
]
STEP_ACTIONS = [
    "联系{P}",
    "把报价单发给您",
    "开通试用账号",
    "安排一次现场演示",
    "约{P}一起过一下方案",
    "过来做个调研",
    "给您答复",
    "做一版新方案",
    "申请一下特价",
    "走一下采购流程",
    "确认一下需求清单",
    "把合同发给法务看",
    "跟{P}对一下接口",
    "把测算表整理出来",
    "上门安装调试",
    "部署测试环境",
    "组织一次培训",
    "把会议纪要发群里",
    "给您回个电话",
    "把样品寄过去",
    "提交投标文件",
    "跟领导汇报一下",
    "签合同",
]
STEP_NONE = [
    "我们的系统会自动提醒",
    "这个功能可以帮您省很多时间",
    "我们一般两周就能部署完",
    "去年我们给{P}做过演示",
    "上次已经把资料发给您了",
    "系统支持自动对账",
    "我们公司在上海有研发中心",
    "之前我们也联系过{P}",
    "他们的采购流程比较长",
    "这个问题我们内部讨论过",
    "报价单里已经包含培训了",
    "我们可以做私有化部署",
    "您说的这个情况很常见",
    "很多客户一开始也这么想",
    "刚才演示的就是这个模块",
]


def _next_step_examples(rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for _ in range(500):
        date = rng.choice(NEXT_STEP_DATES)
        action = rng.choice(STEP_ACTIONS).replace("{P}", rng.choice(PERSONS))
        tail = rng.choice(["", "", "吧", "，您看可以吗", "。", "，没问题吧"])
        text = f"{rng.choice(STEP_SUBJECTS)}{date}{action}{tail}"
        out.append(_ex("next_step", "zh", "next_step", text))
    for _ in range(250):
        out.append(_ex("next_step", "zh", "none", rng.choice(STEP_NONE).replace("{P}", rng.choice(PERSONS))))
    for t in NEXT_STEP_ZH:
        for d in rng.sample(NEXT_STEP_DATES, 4):
            out.append(_ex("next_step", "zh", "next_step", t.replace("{D}", d)))
    for t in NEXT_STEP_NONE_ZH:
        out.append(_ex("next_step", "zh", "none", t))
        out.append(_ex("next_step", "zh", "none", rng.choice(["嗯，", "对，", "", "其实"]) + t))
    for t in NEXT_STEP_EN:
        for d in rng.sample(NEXT_STEP_EN_DATES, 3):
            out.append(_ex("next_step", "en", "next_step", t.replace("{ED}", d).strip()))
    for t in NEXT_STEP_NONE_EN:
        out.append(_ex("next_step", "en", "none", t))
    for phrases in OBJECTIONS.values():  # objections are not commitments
        for phrase in rng.sample(phrases, 3):
            out.append(_ex("next_step", "zh", "none", _fill(rng, phrase)))
    return out


def combine_clauses(
    rng: random.Random, examples: list[dict[str, Any]], n: int = 1500
) -> list[dict[str, Any]]:
    """Whole sentences made of two clauses, as customers speak: a neutral clause next to an
    objection is that objection; two neutral clauses are none. Teaches the sentence-level view."""
    zh = [e for e in examples if e["task"] == "objection" and e["lang"] == "zh"]
    neutral = [e for e in zh if e["label"] == "none"]
    objections = [e for e in zh if e["label"] != "none"]
    out = []
    for _ in range(n):
        a = rng.choice(neutral)
        b = rng.choice(objections) if rng.random() < 0.6 else rng.choice(neutral)
        first, second = (a, b) if rng.random() < 0.5 else (b, a)
        text = first["text"].rstrip("。") + rng.choice(["，", "，", " ", "。"]) + second["text"]
        out.append(_ex("objection", "zh", b["label"], text, source="combined"))
    return out


# --- ASR noise --------------------------------------------------------------------------------------

_FILLER_WORDS = ["嗯", "那个", "就是", "呃", "这个", "就是说"]
_homophones: dict[str, list[str]] | None = None


def _homophone_table() -> dict[str, list[str]]:
    """Syllable → its most common characters (from the jieba dictionary's frequencies)."""
    global _homophones
    if _homophones is None:
        from coachsvc.analysis.model import artifact_path
        from coachsvc.analysis.text import pinyin_table

        freq: Counter[str] = Counter()
        for line in artifact_path("jieba_dict.txt").read_text(encoding="utf-8").splitlines()[:20000]:
            word, count = line.split()[:2]
            for ch in word:
                freq[ch] += int(count)
        by_sound: dict[str, list[str]] = {}
        for ch, _ in freq.most_common(4000):
            syl = pinyin_table().get(ch)
            if syl:
                by_sound.setdefault(syl, []).append(ch)
        _homophones = {s: chars[:6] for s, chars in by_sound.items() if len(chars) > 1}
    return _homophones


def add_asr_noise(rng: random.Random, text: str) -> str:
    """Homophone swaps (价格→假格, 贵→归), lost punctuation, a filler word: Whisper-like errors."""
    from coachsvc.analysis.text import pinyin_table

    table, homo = pinyin_table(), _homophone_table()
    chars = list(text)
    for i, ch in enumerate(chars):
        syl = table.get(ch)
        if syl in homo and rng.random() < 0.12:
            chars[i] = rng.choice([c for c in homo[syl] if c != ch] or [ch])
    noisy = "".join(chars)
    if rng.random() < 0.6:
        noisy = re.sub(r"[，。,.!?！？、]", rng.choice(["", " "]), noisy)
    if rng.random() < 0.4:
        noisy = rng.choice(_FILLER_WORDS) + noisy
    return noisy


def _noisy(rng: random.Random, example: dict[str, Any]) -> dict[str, Any]:
    return {**example, "text": add_asr_noise(rng, example["text"]), "source": example["source"] + "+asr"}


# --- files --------------------------------------------------------------------------------------------


def read_handwritten(path: Path) -> list[dict[str, Any]]:
    """`task<TAB>lang<TAB>label<TAB>text` lines; `#` starts a comment."""
    out = []
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        task, lang, label, text = line.split("\t", 3)
        out.append(_ex(task, lang, label, text.strip(), source="hand"))
    return out


def write_corpus(directory: Path) -> list[dict[str, Any]]:
    """Regenerate generated.jsonl; return generated + hand-written examples (deduplicated)."""
    directory.mkdir(parents=True, exist_ok=True)
    generated = generate()
    with open(directory / "generated.jsonl", "w", encoding="utf-8") as fh:
        for e in generated:
            fh.write(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n")
    hand = []
    for path in hand_files(directory):
        hand += read_handwritten(path)
    seen, out = set(), []
    for e in hand + generated:
        key = (e["task"], e["text"])
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def corpus_hash(directory: Path) -> str:
    h = hashlib.sha256()
    for path in [directory / "generated.jsonl", *hand_files(directory)]:
        if path.exists():
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def hand_files(directory: Path) -> list[Path]:
    """The hand-written files: `handwritten*.tsv` (one per author or domain) and `seed_none.tsv`."""
    return [*sorted(directory.glob("handwritten*.tsv")), directory / "seed_none.tsv"]


# --- what customers say besides objections (the bulk of every call) ---------------------------------

NONE_SLOTS: dict[str, list[str]] = {
    "n": ["三", "五", "十来", "二十多", "五十", "一百多", "两百", "三千多", "几", "七八"],
    "unit": [
        "个人",
        "家门店",
        "个仓库",
        "条产线",
        "个坐席",
        "台设备",
        "个工厂",
        "个分公司",
        "个司机",
        "个业务员",
        "张单子",
        "个客户",
    ],
    "tool": [
        "Excel",
        "表格",
        "纸质单据",
        "微信群",
        "邮件",
        "电话",
        "手工登记",
        "自己开发的系统",
        "老的ERP",
        "钉钉审批",
        "白板",
        "口头通知",
    ],
    "who": [
        "我们",
        "我们这边",
        "车间",
        "财务",
        "仓库那边",
        "门店",
        "业务员",
        "司机",
        "客服",
        "我们部门",
        "一线的人",
        "下面的人",
    ],
    "freq": ["每天", "每周", "每个月", "每个季度", "月底", "年底", "高峰期", "旺季", "每次"],
    "pain": [
        "要加班",
        "对不上",
        "找不到单子",
        "容易出错",
        "很乱",
        "效率很低",
        "经常漏",
        "要花两三天",
        "来回跑",
        "靠人盯着",
        "数据不准",
    ],
    "feat": [
        "移动端",
        "报表",
        "审批流",
        "接口",
        "权限管理",
        "数据导出",
        "多语言",
        "离线模式",
        "扫码",
        "消息提醒",
        "看板",
    ],
    "day": ["明天", "后天", "下周二", "周四", "这周五", "下午", "上午", "月底", "下周"],
    "ok": ["好的", "可以", "行", "没问题", "嗯", "对", "是的", "明白", "好", "了解", "知道了", "OK"],
}
NONE_TEMPLATES_ZH = [
    "我们一共有{n}{unit}",
    "{who}现在主要靠{tool}",
    "{who}{freq}都{pain}",
    "现在{topic}这块主要用{tool}做",
    "{topic}一般是{who}在管",
    "{freq}{topic}都{pain}",
    "我们做{ind}的，{topic}比较复杂",
    "之前也想过上系统，一直没顾上",
    "{who}对这个事挺上心的",
    "这个问题确实存在",
    "你们的{feat}支持吗",
    "{feat}能不能做",
    "你们{feat}是怎么做的",
    "这个{feat}挺实用的",
    "{feat}做得不错",
    "你们一般多久能上线",
    "你们怎么收费的",
    "大概多少钱",
    "报价能发我一份吗",
    "有没有详细的资料",
    "能先看个演示吗",
    "你们有{ind}的客户吗",
    "试用期多久",
    "实施一般要几个人",
    "{ok}，{day}吧",
    "{ok}，那就{day}",
    "{day}我有空",
    "{day}我都在",
    "{day}下午三点可以",
    "{ok}，你们先发过来",
    "{ok}，我回头看看",
    "{ok}，这个思路挺好",
    "{ok}，我们内部先碰一下",
    "{ok}，我转给{boss}看看",
    "你说得有道理",
    "这个想法不错",
    "听起来挺好的",
    "这个确实能帮到我们",
    "我们也在考虑这个方向",
    "这块我们一直想改善",
    "这个我回去了解一下",
    "这个要问一下{who}",
    "具体数字我得查一下",
    "差不多就这些",
    "大概{n}{unit}吧",
    "一般是三个人审批",
    "流程是先部门审再{boss}批",
    "去年营收增长了两成",
    "今年我们在扩产",
    "明年计划开{n}家新店",
    "我们刚换了新的负责人",
    "上个月刚搬了新办公室",
    "最近比较忙",
    "今天时间比较紧",
    "我一会还有个会",
    "不好意思刚才在开会",
    "您稍等一下",
    "喂，你好",
    "你好你好",
    "谢谢你们跑一趟",
    "辛苦了",
    "客气了",
    "慢走",
    "那我们保持联系",
    "有问题我再找你",
    "嗯，你继续说",
    "你说你说",
    "对，就是这个意思",
    "没错",
    "是这样的",
    "这个我同意",
    "我理解",
    "明白你的意思",
    "确实",
    "有道理",
    "那挺好",
    "可以考虑",
    "{boss}也比较关注这个",
    "{boss}让我先了解一下",
    "这个项目是{boss}让我牵头的",
    "我负责这块的前期调研",
    "我们部门有{n}{unit}",
    "以前出过一次事故",
    "客户投诉主要是发货慢",
    "库存周转大概四十天",
    "我们的单子一天大概{n}张",
    "系统是五年前上的",
    "报价单我收到了",
    "方案我们看过了",
    "演示那天我也在",
    "上次的资料挺详细的",
    "你们的案例我看了",
    "合同我们再看看",
    "我们主要想解决{topic}的问题",
    "最想先解决的是{topic}",
    "{topic}是我们今年的重点",
    "{topic}这块问题最大",
    "我们希望{freq}能自动出报表",
    "{day}就可以签",
    "{day}就能定下来",
    "我们{day}就可以启动",
    "流程{day}就能走完",
    "这个事{day}能定",
    "顺利的话{day}就签",
    "再说，我们{ind}今年刚扩建完",
    "再说我们这个季度订单挺多的",
    "我们现在{topic}以{tool}为主",
    "我们现在是用{tool}管的",
    "我们用得挺好的",
    "其他都还好",
    "我们内部意见不太统一",
    "这个事要到明年二月才定",
    "我们的量不算大",
    "收益没有去年好",
    "如果顺利的话年底上线",
    "要是效果好的话我们会推广到全集团",
    "假如试点成功，明年再扩",
    "如果你们能做到，我们肯定用",
    "价格方面你们再报一版吧",
    "预算的事我来协调",
    "交付时间你们先排一下",
    "合同模板用我们的吧",
    "付款方式按惯例来",
    "售后你们是怎么安排的",
    "培训是线上还是线下",
    "数据迁移要多久",
    "你们在本地有人吗",
    "你们公司在哪",
    "你们团队多少人",
]
NONE_TEMPLATES_EN = [
    "we have about {en} people on the team",
    "right now we use spreadsheets for that",
    "our biggest headache is reporting",
    "that sounds interesting",
    "can you walk me through the pricing",
    "how long does a typical rollout take",
    "do you support single sign-on",
    "we process around {en} orders a day",
    "Tuesday works for me",
    "sure, send it over",
    "let me check with the team",
    "that's a fair point",
    "we've been growing fast this year",
    "I'm in meetings all afternoon",
    "thanks for coming by",
    "good to meet you",
    "what integrations do you have",
    "is there a mobile app",
    "who else uses this in our industry",
    "we looked at the proposal",
    "the demo was clear",
    "I'll share it with my manager",
    "makes sense",
    "we'd need it to work with our ERP",
    "anything over ten thousand goes to our CFO",
    "our IT team would need to evaluate the integration",
    "procurement will want three quotes",
    "talk to our controller, she manages that budget",
    "our finance team will want to see the numbers",
    "our audit is in March",
    "I'd have to check",
    "I'll keep it on file",
    "how does onboarding work",
    "our fiscal year starts in April",
    "we're opening two new sites next year",
    "if the pilot goes well we'll roll it out company wide",
    "okay, next week is fine",
    "yes, that's right",
    "exactly",
    "go ahead",
]


def generate_none(rng: random.Random, n_zh: int = 1400, n_en: int = 160) -> list[dict[str, Any]]:
    """Non-objection customer clauses: business facts, processes, questions, scheduling, assent."""
    out = []
    slots = {**SLOTS, **NONE_SLOTS}
    for _ in range(n_zh):
        t = rng.choice(NONE_TEMPLATES_ZH)
        text = re.sub(r"\{(\w+)\}", lambda m: rng.choice(slots[m.group(1)]), t)
        # the same openers as the objections get, so an opener alone never means an objection
        out.append(
            _ex(
                "objection",
                "zh",
                "none",
                rng.choice(SLOTS["pre"]) + text + rng.choice(["", "", "。", "吧", "啊", "呢"]),
            )
        )
    for _ in range(n_en):
        t = rng.choice(NONE_TEMPLATES_EN)
        opener = rng.choice(["", "", "honestly, ", "but ", "well, ", "also ", "the thing is "])
        out.append(
            _ex(
                "objection",
                "en",
                "none",
                opener + t.replace("{en}", rng.choice(["50", "200", "a thousand", "30"])),
            )
        )
    seen, unique = set(), []
    for e in out:
        if e["text"] not in seen:
            seen.add(e["text"])
            unique.append(e)
    return unique
