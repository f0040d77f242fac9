"""Build models/devset.jsonl (models/devset_src/*.txt, used while developing) and
models/testset.jsonl (models/testset_src/*.txt, sealed: never used to tune anything) from their
readable sources.

Each call: `=== id=.. lang=.. date=YYYY-MM-DD rep=NAME`, the transcript lines, `---`, then
`O category | text`, `R person | role`, `N action | owner | due-or-null` lines.
Run: .venv/bin/python models/devset_build.py
"""

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent


def parse(text: str) -> list[dict]:
    calls = []
    for block in re.split(r"^=== ", text, flags=re.M)[1:]:
        head, _, rest = block.partition("\n")
        meta = dict(kv.split("=", 1) for kv in head.split())
        transcript, _, labels = rest.partition("\n---\n")
        expected = {"objections": [], "roles": [], "next_steps": []}
        for line in labels.strip().splitlines():
            kind, _, body = line.partition(" ")
            parts = [p.strip() for p in body.split("|")]
            if kind == "O":
                expected["objections"].append({"category": parts[0], "text": parts[1]})
            elif kind == "R":
                expected["roles"].append({"person": parts[0], "role": parts[1]})
            elif kind == "N":
                due = None if parts[2] == "null" else parts[2]
                expected["next_steps"].append({"action": parts[0], "owner": parts[1], "due": due})
        calls.append(
            {
                "id": meta["id"],
                "lang": meta["lang"],
                "call_date": meta["date"],
                "rep_speaker": meta["rep"],
                "transcript": transcript.strip() + "\n",
                "expected": expected,
            }
        )
    return calls


def main() -> None:
    for source, target in (("devset_src", "devset.jsonl"), ("testset_src", "testset.jsonl")):
        calls = []
        for path in sorted((HERE / source).glob("*.txt")):
            calls += parse(path.read_text(encoding="utf-8"))
        with open(HERE / target, "w", encoding="utf-8") as fh:
            for call in calls:
                fh.write(json.dumps(call, ensure_ascii=False) + "\n")
        print(f"{target}: {len(calls)} calls")


if __name__ == "__main__":
    main()
