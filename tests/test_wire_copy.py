"""Hard-wrapped wire copy with indented first lines, through the real `newsbot ingest`: indentation marks paragraphs."""

import sqlite3
import textwrap

from index.store.backends import DATABASE_FILE
from tests.newsbot_process import newsbot

# Written for this test. The first paragraph has no full stop and its last line is full, so only the indentation
# of the next line tells the splitter a paragraph ends there rather than a wrapped sentence going on.
PARAGRAPHS = [
    "LONDON, March 3 (Newswire) - Britain's largest port operator said on Friday it would cut 300 jobs, blaming "
    "weaker trade with Europe and a sharp rise in energy costs over the winter months",
    "The company, which runs terminals in Felixstowe and Liverpool, said the cuts would fall mainly on office "
    "staff. Unions said they would fight them.",
    "“This is a sad day for the town,” said local councillor Jane Moss.",
]


def test_indented_paragraphs_of_wrapped_wire_copy_are_split_where_they_begin(tmp_path):
    story = tmp_path / "port-jobs.txt"
    story.write_text("\n".join(textwrap.fill(p, 66, initial_indent="    ") for p in PARAGRAPHS) + "\n")
    run = newsbot(tmp_path, "ingest", str(story))
    assert (run.returncode, run.stderr) == (0, "") and "1 new" in run.stdout
    with sqlite3.connect(tmp_path / "data" / DATABASE_FILE) as db:
        stored = db.execute("SELECT paragraph, text FROM sentences ORDER BY position").fetchall()
    assert stored == [(0, PARAGRAPHS[0]), (1, PARAGRAPHS[1].split(". ")[0] + "."),
                      (1, "Unions said they would fight them."), (2, PARAGRAPHS[2])]
