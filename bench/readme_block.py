#!/usr/bin/env python3
"""Replaces what stands between <!-- NAME:begin --> and <!-- NAME:end --> in a Markdown file, so that a README shows
exactly what a benchmark wrote (standard library only, any python3):

  readme_block.py README.md NAME FILE     -> FILE's text into README.md's NAME block

The file is written aside and renamed into place: complete or unchanged. A file without the block is an error."""
import os
import sys


def fill(markdown, name, body):
    text = open(markdown, encoding="utf-8").read()
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    if begin not in text or end not in text:
        sys.exit(f"{markdown}: no {begin} … {end} block to fill")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(markdown + ".tmp", "w", encoding="utf-8") as f:
        f.write(head + begin + "\n" + body.strip("\n") + "\n" + end + tail)
    os.replace(markdown + ".tmp", markdown)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    fill(sys.argv[1], sys.argv[2], open(sys.argv[3], encoding="utf-8").read())
