"""The run-time featurisation (numpy keys) scores exactly like the reference string features."""

import json

import numpy as np
import pytest

from coachsvc.analysis.model import CORPUS_DIR, DEVSET_PATH, load_bundle
from coachsvc.analysis.text import features_batch, split_words, tokenizer


def _texts() -> list[str]:
    texts = []
    for line in DEVSET_PATH.read_text(encoding="utf-8").splitlines():
        for row in json.loads(line)["transcript"].splitlines():
            texts.append(row.split("：", 1)[-1].split(": ", 1)[-1])
    lines = (CORPUS_DIR / "handwritten_turns.tsv").read_text(encoding="utf-8").splitlines()
    texts += [line.split("\t")[3] for line in lines if not line.startswith("#")]
    return texts + [
        "",
        "   ",
        "价格 太贵了， ok 100% 的 a-b  c",
        "王总说太贵了，老刘也觉得贵",
        "^$价格",
        "Our CFO, Mark, said it's 20% too much.",
        "假格比预酸高了三成，书据也不能出内网",
    ]


@pytest.mark.parametrize("head", ["objection", "role", "next_step"])
def test_run_time_features_score_like_the_reference(head):
    bundle = load_bundle()
    texts = _texts()
    _, reference = bundle.proba(head, features_batch(texts))
    _, fast = bundle.proba_texts(head, texts)
    assert reference.shape == fast.shape == (len(texts), len(bundle.heads[head]["classes"]))
    np.testing.assert_allclose(fast, reference, rtol=0, atol=1e-12)


def test_words_cut_per_block_equal_jieba_on_the_whole_text():
    texts = _texts()
    whole = [[w for w in tokenizer().lcut(t, HMM=False) if w.strip()] for t in texts]
    assert split_words(texts) == whole
