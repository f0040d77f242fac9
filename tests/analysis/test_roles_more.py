"""Decision-chain roles said in more ways: people named by nickname (芳姐, 小美, 阿伟), by post and
name (运营副总沈总, "Dana, our VP of Customer Experience"), the speaker's own part (我这边就能批,
"my team will be in it every day"), the one swayed versus the one who sways, conditions (她那边
没问题我就签), scoped says (技术上他说了算), negations, confirmations of the rep's question, and
ASR text without punctuation. Each case is a short call with its exact (person, role) output."""

import pytest

from coachsvc.analysis.people import find_mentions, same_person
from tests.analysis import analyse


def roles(lines, rep="销售"):
    return [(r["person"], r["role"]) for r in analyse(lines, rep=rep)["roles"]]


def zh(text, greeting="您好"):
    return roles([("销售", greeting), ("客户", text)])


def en(text, greeting="Hi Anna."):
    return roles([("Rep", greeting), ("Customer", text)], rep="Rep")


# --- who is named ---------------------------------------------------------------------------------


def test_a_nickname_with_a_given_name_is_kept_as_said():
    assert zh("我们跟单部的主管芳姐，她在老板面前说话很管用。", "邓总您好") == [("芳姐", "influencer")]
    芳姐 = find_mentions("芳姐说的")[0]
    assert 芳姐.name == "芳姐" and same_person(芳姐, find_mentions("方姐")[0])  # the ASR's 方姐


@pytest.mark.parametrize(
    "text",
    ["我们导购大部分是四五十岁的大姐，她们天天用个人微信。", "我表哥也天天用。", "小龙虾天天要用冷库。"],
)
def test_words_ending_in_a_nickname_title_are_nobody(text):
    assert zh(text) == []


@pytest.mark.parametrize(
    "text", ["乡镇端就是一个小程序，天天用。", "预算小于十万就能批。", "老江湖了，天天用。"]
)
def test_words_starting_like_a_nickname_are_nobody(text):
    assert zh(text) == []


def test_xiao_and_a_with_a_given_name():
    assert roles(
        [("销售", "张经理您好"), ("客户", "演示最好叫上客服组的小美，以后天天用这个系统的是她们。")]
    ) == [("小美", "user")]
    assert roles(
        [("销售", "李姐您好"), ("客户", "我们店长阿伟天天在店里用收银机，他说好用老板就会考虑。")]
    ) == [("阿伟", "user")]


def test_a_post_right_before_a_name_is_that_persons():
    assert zh("我们运营副总沈总特别看重回报周期，他的意见老板基本都听。", "汤经理您好") == [
        ("沈总", "influencer")
    ]
    assert zh("财务总监老王下周会看一下。") == [("老王", "finance")]
    mention = find_mentions("运营副总沈总")[0]
    assert (mention.name, mention.key) == ("沈总", "name:沈:boss")  # not 付总: 副总 is the title


def test_a_bare_title_and_a_workshop_head():
    assert zh("这事儿说实话我做不了主，得局长拍板。", "王处您好") == [("局长", "decision_maker")]
    assert zh("我们车间主任对这个AI检测一直有点顾虑。", "邱总您好") == [("车间主任", "user")]


def test_more_departments():
    assert zh("科技部的温工负责评审，计财部的苏经理管付款审核。", "金主任您好") == [
        ("温工", "technical_evaluator"),
        ("苏经理", "finance"),
    ]


def test_zong_shi_is_a_name_before_a_statement_about_the_person():
    assert zh("王总是最终决策人。") == [("王总", "decision_maker")]
    assert zh("我们的钱总是不够用，天天要用的系统都上不了。") == []


def test_english_posts_with_names_around_them():
    assert en(
        "Our VP of Customer Experience, Dana, makes the final call. "
        "And Marcus from IT will want to check the SSO setup.",
        "Hi Priya, who else would weigh in?",
    ) == [("Dana", "decision_maker"), ("Marcus", "technical_evaluator")]
    assert en("Megan Holt, our CEO, has the final say. Raj in infosec reviews the architecture.") == [
        ("Megan Holt", "decision_maker"),
        ("Raj", "technical_evaluator"),
    ]
    assert en("I'll take it to our plant director, Mike Chen, he has the final say and signs the PO.") == [
        ("Mike Chen", "decision_maker")
    ]


def test_english_words_that_are_no_names():
    assert en("The nurses on Ward 5 will use it daily.") == []
    assert en("Ultimately it's up to Paul.") == [("Paul", "decision_maker")]
    assert [m.name for m in find_mentions("Talk to Priya in finance, she approves all spend.")] == ["Priya"]


# --- the speaker's own part -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("greeting", "said", "expected"),
    [
        ("钱总您好", "好，我这边已经拍板了。", [("钱总", "decision_maker")]),
        ("周总您好", "如果只做两个案场，我这边就能批。", [("周总", "decision_maker")]),
        ("赵经理您好", "您放心，我会在内部帮你们争取。", [("赵经理", "coach")]),
        (
            "刘总好",
            "技术交给研发中心的陈博士评估，商务上采购部的孙经理会跟你谈，最后签字还是我。",
            [("陈博士", "technical_evaluator"), ("孙经理", "procurement"), ("刘总", "decision_maker")],
        ),
    ],
)
def test_the_customer_speaking_of_their_own_part(greeting, said, expected):
    assert zh(said, greeting) == expected


def test_a_name_spoken_to_is_not_the_one_spoken_of():
    assert zh(
        "小李，我私下跟你说，这单基本就成了。最后是我们陈总签字，陈总那边我帮你们说话。", "高经理您好"
    ) == [("高经理", "coach"), ("陈总", "decision_maker")]


def test_english_speaker_parts():
    assert roles(
        [
            ("Rep", "Hi Gary, hi Susan."),
            ("Susan", "From the maintenance side, my team will be living in this dashboard every day."),
        ],
        rep="Rep",
    ) == [("Susan", "user")]
    assert en(
        "If both of those are in the order form, I'll sign it this week. "
        "Olivia's the one who'll be running the tool day to day.",
        "Hi Nathan",
    ) == [("Nathan", "decision_maker"), ("Olivia", "user")]
    assert en(
        "Quick heads-up: between you and me, the incumbent is cutting their price.", "Morning Sarah."
    ) == [("Sarah", "coach")]
    assert en("I need to run the final version by my boss before I can sign.", "Hi Laura.") == []


def test_one_saying_which_department_they_are_in():
    assert roles([("销售", "高经理、白经理好"), ("白经理", "我是采购部的，负责比价和合同。")]) == [
        ("白经理", "procurement")
    ]
    assert zh("小彭是我们网络中心的，负责测试。") == [("小彭", "technical_evaluator")]
    assert en("Let me bring in Jenny, she's our IT manager and she'll evaluate the technical fit.") == [
        ("Jenny", "technical_evaluator")
    ]


# --- how the part is said -------------------------------------------------------------------------


def test_the_one_swayed_is_not_the_influencer():
    assert en(
        "Sure, talk to Megan Holt. She runs clinic operations, and her opinion carries a lot of weight "
        "with our CEO."
    ) == [("Megan Holt", "influencer")]
    assert en("Honestly the CEO listens to Priya more than anyone.") == [("Priya", "influencer")]
    assert zh("这个钱得院长批，院长主要听信息科吴科长的。", "周主任您好") == [
        ("院长", "decision_maker"),
        ("吴科长", "influencer"),
    ]


def test_one_who_must_agree_before_the_speaker_signs():
    assert zh("我们HR总监彭姐下周二会再过一遍，她那边没问题我就签。", "宋总您好") == [
        ("彭姐", "influencer"),
        ("宋总", "decision_maker"),
    ]
    assert zh("老板点头了我就签。", "王经理您好") == [("老板", "decision_maker")]


def test_a_say_on_one_side_only():
    assert zh("集团IT是钟工在管接口，技术上能不能接他说了算。", "冯总您好") == [
        ("钟工", "technical_evaluator")
    ]
    assert zh("财务那边是周会计在管，账期她说了算。") == [("周会计", "finance")]


def test_not_deciding():
    assert zh("李总虽然不拍板，但他的意见很关键。") == [("李总", "influencer")]
    assert en("I'm not the decision maker here. That's Helen Brooks, our COO.", "Hi Greg.") == [
        ("Helen Brooks", "decision_maker")
    ]


def test_who_will_use_it():
    assert zh("另外超声科的马主任下周想去样板医院看看，以后主要是他们科室在用。", "赵科长您好") == [
        ("马主任", "user")
    ]
    assert zh("好，严经理你也听听，以后主要是你们部门在用。", "许总您好") == [("严经理", "user")]


def test_what_someone_said_is_no_cue_about_them():
    assert zh("我们采购部刘经理也看了。另外老刘还说，你们给的付款条件不如别家。", "黎总您好") == [
        ("刘经理", "procurement")
    ]


def test_asr_text_cut_by_spaces():
    assert roles(
        [
            ("钱峰", "韦院长您好"),
            ("韦院长", "信息科的蒋科长 技术评审是他负责 你们的情况我私下先帮你跟他通个气"),
        ],
        rep="钱峰",
    ) == [("蒋科长", "technical_evaluator"), ("韦院长", "coach")]


def test_the_customer_confirms_the_reps_question():
    assert roles([("销售", "王经理您好，那最后是王总拍板吗？"), ("客户", "对。")]) == [
        ("王总", "decision_maker")
    ]
    assert roles([("销售", "王经理您好，最后是您来拍板吗？"), ("客户", "是的。")]) == [
        ("王经理", "decision_maker")
    ]
    assert roles([("销售", "王经理您好，最后是王总拍板吗？"), ("客户", "不是，是李总。")]) == []
    # a topic word in the rep's question is no claim about anyone
    assert en("Yes, please.", "Hi Anna. Should I build an ROI model Brian can play with?") == []


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("Paul has been really helpful behind the scenes.", [("Paul", "coach")]),
        (
            "Our IT lead, Victor, will review the integration. "
            "And honestly, Victor has a lot of sway with Helen.",
            [("Victor", "technical_evaluator"), ("Victor", "influencer")],
        ),
        ("Kim, who heads purchasing, will push back on price.", [("Kim", "procurement")]),
        ("Paul's team will use it daily.", [("Paul", "user")]),
        ("Paul will need to sign off on security.", [("Paul", "technical_evaluator")]),
    ],
)
def test_english_cues(said, expected):
    assert en(said) == expected


def test_more_chinese_phrasings():
    assert zh("仓库那边的老郑，以后天天在系统里拣货的就是他们组。不过最后要不要上，得看我们老板的意思。") == [
        ("老郑", "user"),
        ("老板", "decision_maker"),
    ]
    assert zh("说句实话，我个人是支持你们的，在领导面前我也会帮你们说说好话。", "方经理您好") == [
        ("方经理", "coach")
    ]
    assert zh("我这边觉得可以 但是得信息中心的老周看看接口 最后还得分管副院长点头", "陈主任您好") == [
        ("老周", "technical_evaluator"),
        ("副院长", "decision_maker"),
    ]
    assert zh("我们董事长拍板，但他最信任的是老孟。") == [
        ("董事长", "decision_maker"),
        ("老孟", "influencer"),
    ]


def test_a_topic_in_the_next_clause_is_no_claim_about_the_one_named():
    assert zh("财务部的小郭会审一下付款条款，没问题的话就走流程。") == [("小郭", "finance")]


def test_more_english_phrasings():
    assert en(
        "So, update on our side: Jessica Lee, our Director of Operations, will be the main user.", "Hi Mark."
    ) == [("Jessica Lee", "user")]
    assert en("Anything over fifty thousand needs sign-off from our CFO, Rachel.") == [("Rachel", "finance")]
    assert en("Kevin is the one pushing for this internally.") == [("Kevin", "coach")]
    assert en("The person you really need to convince is our GM, Diego Santos. He signs everything.") == [
        ("Diego Santos", "decision_maker")
    ]


@pytest.mark.parametrize(
    "said",
    [
        "我们现在每天要处理两千多单，客服天天加班。价格方面你们报个底价吧。",
        "上次你们的小张来过了，演示做得不错，就是接口我们还得再看看。",
        "你们的竞争对手上周也来过，说他们实施只要一个月。",
    ],
)
def test_no_one_of_the_decision_chain(said):
    assert zh(said) == []


@pytest.mark.parametrize(
    "said",
    [
        "Good, thanks. We run the warehouse every day with spreadsheets, and it's painful.",
        "Honestly, I think the price is too high. Can you do better?",
        "Our team tested the API last week and it looked fine.",
    ],
)
def test_no_one_of_the_decision_chain_in_english(said):
    assert en(said) == []
