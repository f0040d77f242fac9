"""A step's date settled by the other side's reply, and steps said with less common verbs."""

from tests.analysis import analyse


def steps(lines, call_date="2026-11-05", rep="销售"):
    return [(n["owner"], n["due"]) for n in analyse(lines, call_date, rep)["next_steps"]]


def test_a_counter_proposal_moves_the_step_to_the_replys_last_date():
    # 2026-11-05 is a Thursday: 下周一 = 11-09, 下周二 = 11-10
    assert steps(
        [
            ("销售", "那我下周一带技术同事过来给吴老师演示一下？"),
            ("客户", "下周一我要开会，下周二下午吧。"),
        ]
    ) == [("rep", "2026-11-10")]


def test_a_reply_that_opens_with_a_date_answers_the_asked_timing():
    assert steps(
        [
            ("销售", "那我们下周安排工程师去现场做一次能源审计，您看下周一方便吗？"),
            ("客户", "下周一可以，让黄工陪你们。"),
        ]
    ) == [("rep", "2026-11-09")]
    assert steps([("销售", "下周找个时间到行里给您做个演示？"), ("客户", "下周三下午吧。")]) == [
        ("rep", "2026-11-11")
    ]


def test_a_reply_with_a_date_for_something_else_leaves_the_step_alone():
    # the step's timing was not asked: the customer's own date belongs to the customer's step
    assert steps(
        [
            ("销售", "我明天把报价单发给您。"),
            ("客户", "好的，我们下周三开会讨论。"),
        ]
    ) == [("rep", "2026-11-06"), ("customer", "2026-11-11")]


def test_arrival_and_installation_are_next_steps():
    assert steps(
        [
            ("客户", "设备什么时候能到？"),
            ("销售", "相机和光源月底前能到你们仓库，下周二我们的工程师到厂安装。"),
        ],
        call_date="2026-12-28",
    ) == [("rep", "2026-12-31"), ("rep", "2027-01-05")]


def test_english_build_and_do_are_step_verbs():
    assert steps(
        [
            ("Rep", "Should I build an ROI model Brian can play with?"),
            ("Customer", "Yes, please, by next Friday if you can."),
        ],
        call_date="2026-12-29",
        rep="Rep",
    ) == [("rep", "2027-01-08")]
    assert steps(
        [("Customer", "Can we do a technical session next Wednesday?"), ("Rep", "Absolutely.")],
        call_date="2026-12-14",
        rep="Rep",
    ) == [("customer", "2026-12-23")]


def test_a_date_clause_completes_the_action_before_it():
    # 2026-11-04 is a Wednesday: 下周一 = 11-09
    assert steps(
        [
            ("销售", "那我们一期控制在十五万以内。"),
            ("客户", "可以，你按这个思路重新出个报价，下周一之前给我。"),
        ],
        call_date="2026-11-04",
    ) == [("rep", "2026-11-09")]


def test_an_acceptance_that_proposes_its_own_step_keeps_its_date():
    # 2027-01-20 is a Wednesday: 本周五 = 01-22, 下周一 = 01-25
    assert steps(
        [
            ("客户", "你把一个月上线的计划和驻场支持写进方案，本周五发我。"),
            ("销售", "好的。那价格我们下周一当面再谈？"),
            ("客户", "可以。"),
        ],
        call_date="2027-01-20",
    ) == [("rep", "2027-01-22"), ("rep", "2027-01-25")]


def test_the_agenda_of_the_call_is_not_a_next_step():
    assert steps([("销售", "王总好，今天主要给您和采购部的严经理讲一下方案。"), ("客户", "好的。")]) == []


def test_an_english_condition_stays_in_its_sentence():
    assert steps(
        [
            ("Rep", "Should I build an ROI model Brian can play with?"),
            (
                "Customer",
                "Yes, please, by next Friday if you can. I'll share our loan volumes with you tomorrow.",
            ),
        ],
        call_date="2026-12-29",
        rep="Rep",
    ) == [("rep", "2027-01-08"), ("customer", "2026-12-30")]
