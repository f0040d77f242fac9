"""Objection rules around the classifier: answers about the decision chain, a sentence judged
whole, a turn's clearest clause."""

from tests.analysis import analyse


def objections(lines, rep="销售"):
    return [(o["category"], o["text"]) for o in analyse(lines, rep=rep)["objections"]]


def test_an_answer_about_the_buying_process_is_not_an_authority_objection():
    assert (
        objections(
            [
                ("销售", "苏经理好，今天想了解一下你们的采购流程。"),
                ("客户", "我们的流程是业务部门提需求，采购部比价，最后总经理审批。"),
            ]
        )
        == []
    )
    assert (
        objections(
            [
                ("Rep", "Who would sign off on a purchase like this?"),
                ("Customer", "Anything over five thousand goes to our CFO, Mark."),
            ],
            rep="Rep",
        )
        == []
    )


def test_the_same_words_after_a_pitch_push_back():
    assert objections(
        [
            ("销售", "我们的方案下个月就能上线，您看什么时候签合同？"),
            ("客户", "我做不了主，这个最后得总经理审批。"),
        ]
    ) == [("authority", "我做不了主")]


def test_a_sentence_is_judged_whole_when_its_clauses_are_unsure():
    # neither clause alone is an objection (a condition; "no need to talk"): the sentence is
    assert objections(
        [("销售", "这次我们带了新的方案。"), ("客户", "如果你们还是上次那个价格，就不用讲了。")]
    ) == [("price", "如果你们还是上次那个价格，就不用讲了")]
    assert objections(
        [("销售", "试用感觉怎么样？"), ("客户", "我们物业费都是上门收的，业主不喜欢线上交。")]
    ) == [("need", "我们物业费都是上门收的，业主不喜欢线上交")]
